package exact

import (
	"math"
	"strings"
	"testing"

	"phasespace/mixture"
	"phasespace/rng"
	"phasespace/sde"
	"phasespace/toy"
)

// The test data are the toy package's exact mixtures.
func diamond() *mixture.Mixture { m, _ := toy.Mixture("diamond"); return m }
func eight() *mixture.Mixture   { m, _ := toy.Mixture("8gaussians"); return m }

func processes(t *testing.T) []*sde.Process {
	vp, err := sde.NewVP(sde.DefaultVP())
	if err != nil {
		t.Fatal(err)
	}
	cld, err := sde.NewCLD(sde.CLDConfig{Schedule: sde.Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	if err != nil {
		t.Fatal(err)
	}
	psld, err := sde.NewPSLD(sde.PSLDConfig{Schedule: sde.Schedule{Beta0: 8}, Gamma: 0.01, Nu: 4.01, Kappa: 0.04})
	if err != nil {
		t.Fatal(err)
	}
	return []*sde.Process{vp, cld, psld}
}

func TestScoreIsGradientOfLogProb(t *testing.T) {
	r := rng.New(3, 1)
	for _, p := range processes(t) {
		for _, data := range []*mixture.Mixture{diamond(), eight()} {
			o, err := New(p, data)
			if err != nil {
				t.Fatal(err)
			}
			for _, tt := range []float64{0, 1e-3, 0.05, 0.3, 1} {
				const n = 8
				x := make([]float64, 2*n)
				var v []float64
				for i := range x {
					x[i] = r.NormFloat64()
				}
				if p.Order() == 2 {
					v = make([]float64, 2*n)
					for i := range v {
						v[i] = 0.3 * r.NormFloat64()
					}
				}
				sx := make([]float64, 2*n)
				var sv []float64
				if v != nil {
					sv = make([]float64, 2*n)
				}
				o.Score(tt, x, v, sx, sv)
				lp := func(xx, vv []float64) float64 {
					out := []float64{0}
					o.LogProb(tt, xx, vv, out)
					return out[0]
				}
				for i := 0; i < n; i++ {
					xi := append([]float64(nil), x[2*i:2*i+2]...)
					var vi []float64
					if v != nil {
						vi = append([]float64(nil), v[2*i:2*i+2]...)
					}
					check := func(name string, vec []float64, j int, got float64) {
						// Step relative to the narrowest component scale.
						h := 1e-6
						old := vec[j]
						vec[j] = old + h
						fp := lp(xi, vi)
						vec[j] = old - h
						fm := lp(xi, vi)
						vec[j] = old
						fd := (fp - fm) / (2 * h)
						if math.Abs(fd-got) > 1e-5*(1+math.Abs(fd)) {
							t.Errorf("%v t=%v sample %d: ∂/∂%s%d analytic %v, finite difference %v", p, tt, i, name, j, got, fd)
						}
					}
					for j := 0; j < 2; j++ {
						check("x", xi, j, sx[2*i+j])
						if vi != nil {
							check("v", vi, j, sv[2*i+j])
						}
					}
				}
			}
		}
	}
}

func TestMarginalOverXIntegratesToOne(t *testing.T) {
	for _, p := range processes(t)[1:] {
		for _, tc := range []struct {
			data *mixture.Mixture
			lim  float64
			h    float64
		}{{diamond(), 6.5, 0.02}, {eight(), 6.5, 0.025}} {
			o, _ := New(p, tc.data)
			for _, tt := range []float64{0.01, 0.2, 1} {
				var xs []float64
				for a := -tc.lim; a < tc.lim; a += tc.h {
					for b := -tc.lim; b < tc.lim; b += tc.h {
						xs = append(xs, a+tc.h/2, b+tc.h/2)
					}
				}
				lp := make([]float64, len(xs)/2)
				o.LogProbX(tt, xs, lp)
				sum := 0.0
				for _, l := range lp {
					sum += math.Exp(l) * tc.h * tc.h
				}
				if math.Abs(sum-1) > 1e-4 {
					t.Errorf("%v t=%v: ∫p_t(x)dx = %v", p, tt, sum)
				}
			}
		}
	}
}

// The x-marginal equals the joint density integrated numerically over v.
func TestMarginalMatchesNumericalIntegralOverV(t *testing.T) {
	p := processes(t)[1]
	o, _ := New(p, diamond())
	tt := 0.1
	x := []float64{0.2, -0.3}
	h, lim := 0.01, 3.0
	var vs, xs []float64
	for a := -lim; a < lim; a += h {
		for b := -lim; b < lim; b += h {
			vs = append(vs, a+h/2, b+h/2)
			xs = append(xs, x[0], x[1])
		}
	}
	lp := make([]float64, len(vs)/2)
	o.LogProb(tt, xs, vs, lp)
	sum := 0.0
	for _, l := range lp {
		sum += math.Exp(l) * h * h
	}
	got := []float64{0}
	o.LogProbX(tt, x, got)
	if math.Abs(math.Log(sum)-got[0]) > 1e-6 {
		t.Fatalf("log ∫p(x,v)dv = %v, LogProbX = %v", math.Log(sum), got[0])
	}
}

func TestAtTimeZeroXMarginalIsTheData(t *testing.T) {
	for _, p := range processes(t) {
		data := eight()
		o, _ := New(p, data)
		x := []float64{1.1, 2.3, -2.8, 0.1}
		got := make([]float64, 2)
		o.LogProbX(0, x, got)
		for i := 0; i < 2; i++ {
			want := data.LogProb(x[2*i : 2*i+2])
			if math.Abs(got[i]-want) > 1e-12 {
				t.Errorf("%v: log p_0(x) = %v, data log-density %v", p, got[i], want)
			}
		}
	}
}

// Stein's identity E_{p_t}[u sᵀ] = −I holds only if the oracle's marginal is
// the law of the forward process: draw u_t by simulating the kernel from data
// samples and check it.
func TestSteinIdentityOnForwardSamples(t *testing.T) {
	const n = 40000
	for _, p := range processes(t) {
		data := diamond()
		o, _ := New(p, data)
		for _, tt := range []float64{0.02, 0.3} {
			k := p.MustKernel(tt, sde.DSM)
			r := rng.New(5, uint64(p.Kind))
			x := make([]float64, 2*n)
			var v []float64
			if p.Order() == 2 {
				v = make([]float64, 2*n)
			}
			x0 := make([]float64, 2)
			sv0 := math.Sqrt(p.InitialCov(sde.HSM).VV)
			for i := 0; i < n; i++ {
				data.SampleOne(x0, r)
				for j := 0; j < 2; j++ {
					xt, vt := k.Perturb(x0[j], sv0*r.NormFloat64(), r.NormFloat64(), r.NormFloat64())
					x[2*i+j] = xt
					if v != nil {
						v[2*i+j] = vt
					}
				}
			}
			sx := make([]float64, 2*n)
			var sv []float64
			if v != nil {
				sv = make([]float64, 2*n)
			}
			o.Score(tt, x, v, sx, sv)
			var xsx, vsv, xsv, xsx01 float64
			for i := 0; i < 2*n; i++ {
				xsx += x[i] * sx[i]
				if v != nil {
					vsv += v[i] * sv[i]
					xsv += x[i] * sv[i]
				}
			}
			for i := 0; i < n; i++ {
				xsx01 += x[2*i] * sx[2*i+1]
			}
			m := float64(2 * n)
			// Per-term standard deviations are O(1) here; 0.05 is > 5 s.e. at n = 40000
			// except where the scores are large (small t), handled by the relative form.
			if math.Abs(xsx/m+1) > 0.05 {
				t.Errorf("%v t=%v: E[x s_x] = %v, want −1", p, tt, xsx/m)
			}
			if math.Abs(xsx01/float64(n)) > 0.05 {
				t.Errorf("%v t=%v: E[x₁ s_x₂] = %v, want 0", p, tt, xsx01/float64(n))
			}
			if v != nil {
				if math.Abs(vsv/m+1) > 0.05 {
					t.Errorf("%v t=%v: E[v s_v] = %v, want −1", p, tt, vsv/m)
				}
				if math.Abs(xsv/m) > 0.05 {
					t.Errorf("%v t=%v: E[x s_v] = %v, want 0", p, tt, xsv/m)
				}
			}
		}
	}
}

func TestScoreJacobianMatchesFiniteDifferences(t *testing.T) {
	for _, p := range processes(t) {
		o, _ := New(p, eight())
		d := 2
		n := p.Order() * d
		x := []float64{0.9, -1.7}
		var v []float64
		if n == 4 {
			v = []float64{0.2, 0.35}
		}
		tt := 0.15
		jac := make([]float64, n*n)
		if err := o.ScoreJacobian(tt, x, v, jac); err != nil {
			t.Fatal(err)
		}
		score := func() []float64 {
			sx := make([]float64, d)
			var sv []float64
			if v != nil {
				sv = make([]float64, d)
			}
			o.Score(tt, x, v, sx, sv)
			return append(sx, sv...)
		}
		h := 1e-6
		for b := 0; b < n; b++ {
			vec, j := x, b
			if b >= d {
				vec, j = v, b-d
			}
			old := vec[j]
			vec[j] = old + h
			sp := score()
			vec[j] = old - h
			sm := score()
			vec[j] = old
			for a := 0; a < n; a++ {
				fd := (sp[a] - sm[a]) / (2 * h)
				if math.Abs(fd-jac[a*n+b]) > 1e-5*(1+math.Abs(fd)) {
					t.Errorf("%v: ∂s%d/∂u%d = %v, finite difference %v", p, a, b, jac[a*n+b], fd)
				}
			}
		}
	}
}

func TestScoreVJPMatchesJacobian(t *testing.T) {
	for _, p := range processes(t) {
		o, _ := New(p, diamond())
		x := []float64{0.1, 0.2, -0.3, 0.4}
		var v, wv, sv, gv []float64
		if p.Order() == 2 {
			v, wv, sv, gv = []float64{0.05, -0.1, 0.2, 0.0}, []float64{0.3, -1, 2, 0.5}, make([]float64, 4), make([]float64, 4)
		}
		wx, sx, gx := []float64{1, 0.5, -0.25, 2}, make([]float64, 4), make([]float64, 4)
		o.ScoreVJP(0.2, x, v, wx, wv, sx, sv, gx, gv)
		m := 2 * p.Order()
		for i := 0; i < 2; i++ {
			xi := x[2*i : 2*i+2]
			var vi []float64
			w := append([]float64(nil), wx[2*i:2*i+2]...)
			g := append([]float64(nil), gx[2*i:2*i+2]...)
			if v != nil {
				vi = v[2*i : 2*i+2]
				w = append(w, wv[2*i:2*i+2]...)
				g = append(g, gv[2*i:2*i+2]...)
			}
			jac := make([]float64, m*m)
			o.ScoreJacobian(0.2, xi, vi, jac)
			for b := 0; b < m; b++ {
				want := 0.0
				for a := 0; a < m; a++ {
					want += w[a] * jac[a*m+b]
				}
				if math.Abs(g[b]-want) > 1e-12*(1+math.Abs(want)) {
					t.Errorf("%v sample %d: VJP[%d] = %v, want %v", p, i, b, g[b], want)
				}
			}
		}
	}
}

// TestNewRejectsUnknownKind: an oracle for a Process whose Kind is not VP,
// CLD or PSLD is an error, not a PSLD oracle.
func TestNewRejectsUnknownKind(t *testing.T) {
	bad := *processes(t)[2]
	bad.Kind = sde.PSLD + 1
	if _, err := New(&bad, diamond()); err == nil || !strings.Contains(err.Error(), "unknown SDE kind") {
		t.Errorf("New: err = %v, want an unknown-kind error", err)
	}
	if _, err := New(nil, diamond()); err == nil {
		t.Error("New(nil process) accepted")
	}
}
