package sampler

import (
	"math"
	"testing"
)

func TestGridFormulas(t *testing.T) {
	t.Parallel()
	const eps, T = 1e-3, 1.0
	for _, K := range []int{1, 2, 9, 49} {
		u := Grid(Uniform, K, eps, T)
		q := Grid(Quadratic, K, eps, T)
		if len(u) != K+1 || len(q) != K+1 {
			t.Fatalf("K=%d: lengths %d, %d, want %d", K, len(u), len(q), K+1)
		}
		for k := 0; k <= K; k++ {
			r := float64(k) / float64(K)
			// Uniform: τ = linspace(0, 1−ε, K+1), t = 1 − τ.
			if want := 1 - (1-eps)*r; math.Abs(u[k]-want) > 1e-15 {
				t.Errorf("uniform K=%d k=%d: %v, want %v", K, k, u[k], want)
			}
			// Quadratic: τ_k = (1−ε)(1 − (1 − k/K)²) (docs/samplers.md, Semantics).
			tau := (1 - eps) * (1 - (1-r)*(1-r))
			if want := 1 - tau; math.Abs(q[k]-want) > 1e-15 {
				t.Errorf("quadratic K=%d k=%d: %v, want %v", K, k, q[k], want)
			}
			if k > 0 && !(u[k] < u[k-1] && q[k] < q[k-1]) {
				t.Errorf("K=%d: grids not strictly decreasing at k=%d", K, k)
			}
		}
		if u[0] != T || q[0] != T || u[K] != eps || q[K] != eps {
			t.Errorf("K=%d: endpoints %v..%v, %v..%v, want exactly %v..%v", K, u[0], u[K], q[0], q[K], T, eps)
		}
		if K > 2 {
			// Quadratic steps shrink toward the data: last step ≪ first.
			if !(q[K-1]-q[K] < (q[0]-q[1])/float64(K)) {
				t.Errorf("K=%d: quadratic last step %v not much smaller than first %v", K, q[K-1]-q[K], q[0]-q[1])
			}
		}
	}
}

// TestNFEAccounting: EM and SSCS make exactly NFE score calls
// (docs/samplers.md, Semantics: NFE accounting): N−1 steps + denoising, or N steps without); the callback sees the prior,
// every step and the denoised state; the ODE's Stats.NFE is its call count.
func TestNFEAccounting(t *testing.T) {
	t.Parallel()
	for _, p := range processes(t) {
		for _, m := range []Method{EM, SSCS, ODE} {
			for _, noDen := range []bool{false, true} {
				for _, nfe := range []int{2, 7} {
					if m == ODE && nfe == 7 {
						continue
					}
					mod := &counting{Model: toyOracle(t, p, "8gaussians")}
					var steps []Step
					c := Config{Process: p, Model: mod, Method: m, NFE: nfe, NoDenoise: noDen, Seed: 1, RTol: 1e-3, ATol: 1e-3,
						Callback: func(s Step) { steps = append(steps, s) }}
					_, st := mustSample(t, c, 16)
					calls := int(mod.calls.Load())
					if st.NFE != calls {
						t.Errorf("%v %v nfe %d denoise %v: Stats.NFE %d, model called %d times", p.Kind, m, nfe, !noDen, st.NFE, calls)
					}
					wantSteps := nfe - 1
					if noDen {
						wantSteps = nfe
					}
					if m != ODE && (calls != nfe || st.Steps != wantSteps) {
						t.Errorf("%v %v nfe %d denoise %v: %d calls, %d steps; want %d calls, %d steps", p.Kind, m, nfe, !noDen, calls, st.Steps, nfe, wantSteps)
					}
					wantCB := 1 + st.Steps
					if !noDen {
						wantCB++
					}
					if len(steps) != wantCB {
						t.Fatalf("%v %v: %d callbacks, want %d", p.Kind, m, len(steps), wantCB)
					}
					if s := steps[0]; s.Index != 0 || s.Time != p.T || s.NFE != 0 {
						t.Errorf("%v %v: first callback %+v, want the prior at T with 0 NFE", p.Kind, m, s)
					}
					last := steps[len(steps)-1]
					if !noDen && (!last.Denoise || last.Time != 0 || last.NFE != st.NFE) {
						t.Errorf("%v %v: last callback index %d time %v NFE %d denoise %v; want denoised at 0 with %d NFE", p.Kind, m, last.Index, last.Time, last.NFE, last.Denoise, st.NFE)
					}
					if noDen && math.Abs(last.Time-1e-3) > 1e-12 {
						t.Errorf("%v %v without denoising ends at t = %v, want ε", p.Kind, m, last.Time)
					}
					if (last.V == nil) != (p.Order() == 1) {
						t.Errorf("%v: callback V nil = %v for order %d", p.Kind, last.V == nil, p.Order())
					}
				}
			}
		}
	}
}
