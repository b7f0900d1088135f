package sampler

import (
	"fmt"
	"math"
	"testing"

	"phasespace/metrics"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/toy"
)

// pointScore is the exact score of data that is a single point x₀ (every
// coordinate), with the initial velocity drawn from N(0, γM):
// s = −Σ_t⁻¹(u − Φ(t)(x₀, 0)), Σ_t from the HSM Σ₀.
func pointScore(p *sde.Process, d int, x0 float64) score.Model {
	return score.Func{D: d, F: func(t float64, x, v, sx, sv []float64) {
		phi := p.Propagator(0, t)
		s := p.Cov(t, p.InitialCov(sde.HSM))
		mx, mv := phi.Apply(x0, 0)
		if p.Order() == 1 {
			for i := range x {
				sx[i] = -(x[i] - mx) / s.XX
			}
			return
		}
		det := s.Det()
		for i := range x {
			dx, dv := x[i]-mx, v[i]-mv
			sx[i] = -(s.VV*dx - s.XV*dv) / det
			sv[i] = -(-s.XV*dx + s.XX*dv) / det
		}
	}}
}

// runStates samples and returns the prior state and the final state (x, v).
func runStates(t *testing.T, c Config, n int) (x0, v0, x1, v1 []float64) {
	t.Helper()
	c.Callback = func(s Step) {
		if s.Index == 0 {
			x0 = append([]float64(nil), s.X...)
			v0 = append([]float64(nil), s.V...)
		}
		x1 = append(x1[:0], s.X...)
		v1 = append(v1[:0], s.V...)
	}
	mustSample(t, c, n)
	return
}

// TestGDDIMSinglePointExact: for data that is a single point, ε = R⁻¹(u − μ)
// is constant along the probability-flow ODE when K = R, so one first-order
// gDDIM step from T to ε is the flow map μ_ε + R_ε R_T⁻¹(u_T − μ_T) up to
// rounding (1e-10 relative), for each SDE; the adaptive ODE sampler agrees
// within its tolerance; with K = L the same step is visibly off.
func TestGDDIMSinglePointExact(t *testing.T) {
	t.Parallel()
	const n, d, x0, eps = 50, 2, 0.7, 1e-3
	for _, p := range processes(t) {
		m := pointScore(p, d, x0)
		rf, err := p.NewRFactor(sde.HSM)
		if err != nil {
			t.Fatal(err)
		}
		rT, err := rf.At(p.T)
		if err != nil {
			t.Fatal(err)
		}
		rE, err := rf.At(eps)
		if err != nil {
			t.Fatal(err)
		}
		mT := p.Propagator(0, p.T)
		mE := p.Propagator(0, eps)
		flow := rE.Mul(rT.Inv())
		want := func(x, v float64) (float64, float64) {
			mx, mv := mT.Apply(x0, 0)
			ex, ev := flow.Apply(x-mx, v-mv)
			ux, uv := mE.Apply(x0, 0)
			return ux + ex, uv + ev
		}
		// errs returns the largest deviation from the flow map relative to
		// the largest |u_ε| (the state), and relative to the largest
		// |u_ε − μ_ε| (the noise part, which is what the step has to get
		// right; a stricter measure, reported only).
		errs := func(xp, vp, x, v []float64) (float64, float64) {
			var num, den, noise float64
			ux, uv := mE.Apply(x0, 0)
			for i := range xp {
				var vpi, vi float64
				if p.Order() == 2 {
					vpi, vi = vp[i], v[i]
				}
				wx, wv := want(xp[i], vpi)
				num = math.Max(num, math.Max(math.Abs(x[i]-wx), math.Abs(vi-wv)))
				den = math.Max(den, math.Max(math.Abs(wx), math.Abs(wv)))
				noise = math.Max(noise, math.Max(math.Abs(wx-ux), math.Abs(wv-uv)))
			}
			return num / den, num / noise
		}
		base := Config{Process: p, Model: m, Method: GDDIM, NFE: 1, NoDenoise: true, Eps: eps, Order: 1, Seed: 7}
		xp, vp, x, v := runStates(t, base, n)
		e, en := errs(xp, vp, x, v)
		t.Logf("%v: one R step vs flow map: error %.3g of the state, %.3g of the noise part", p.Kind, e, en)
		if e > 1e-10 {
			t.Errorf("%v: one R step vs flow map: relative error %.3g > 1e-10", p.Kind, e)
		}
		lc := base
		lc.Param = sde.FactorL
		xp, vp, x, v = runStates(t, lc, n)
		eL, eLn := errs(xp, vp, x, v)
		t.Logf("%v: one L step vs flow map: error %.3g of the state, %.3g of the noise part", p.Kind, eL, eLn)
		if p.Order() == 2 && eL < 0.1 {
			t.Errorf("%v: one L step is within %.3g of the flow map; K = L should be off", p.Kind, eL)
		}
		// The adaptive ODE sampler at rtol = atol = 1e-6: its RMS error
		// control keeps the global error within a small multiple of that.
		oc := Config{Process: p, Model: m, Method: ODE, NoDenoise: true, Eps: eps, Seed: 7, RTol: 1e-6, ATol: 1e-6}
		xp, vp, x, v = runStates(t, oc, n)
		eO, _ := errs(xp, vp, x, v)
		t.Logf("%v: adaptive ODE (rtol = atol = 1e-6) vs flow map: error %.3g of the state", p.Kind, eO)
		if eO > 1e-5 {
			t.Errorf("%v: adaptive ODE (rtol = atol = 1e-6) vs flow map: relative error %.3g > 1e-5", p.Kind, eO)
		}
	}
}

// For VP, K = R = L = σ_t and order 1 is DDIM:
// x_t = α_t/α_s·x_s + (σ_t − α_t/α_s·σ_s)ε̂ with α = e^{−B/2}.
func TestGDDIMVPIsDDIM(t *testing.T) {
	t.Parallel()
	p := processes(t)[0]
	o := toyOracle(t, p, "8gaussians")
	const n, nfe = 20, 8
	for _, prm := range []sde.Factor{sde.FactorR, sde.FactorL} {
		c := Config{Process: p, Model: o, Method: GDDIM, NFE: nfe, NoDenoise: true, Order: 1, Param: prm, Striding: Uniform, Seed: 3}
		xp, _, x, _ := runStates(t, c, n)
		grid := Grid(Uniform, nfe, defaultEps, p.T)
		y := append([]float64(nil), xp...)
		s := make([]float64, len(y))
		for k := 1; k < len(grid); k++ {
			t0, t1 := grid[k-1], grid[k]
			o.Score(t0, y, nil, s, nil)
			a := math.Exp(p.Schedule.Between(t1, t0) / 2) // α_{t1}/α_{t0}
			sg := func(tt float64) float64 { return math.Sqrt(-math.Expm1(-p.Schedule.Integral(tt))) }
			for i := range y {
				e := -sg(t0) * s[i]
				y[i] = a*y[i] + (sg(t1)-a*sg(t0))*e
			}
		}
		for i := range y {
			if d := math.Abs(x[i] - y[i]); d > 1e-9*(1+math.Abs(y[i])) {
				t.Fatalf("param %v: sample coordinate %d: gddim %.12g, DDIM %.12g", prm, i, x[i], y[i])
			}
		}
	}
}

func TestGDDIMConfigErrors(t *testing.T) {
	t.Parallel()
	p := processes(t)[1]
	o := toyOracle(t, p, "diamond")
	for _, c := range []Config{
		{Process: p, Model: o, Method: GDDIM, NFE: 5, Order: 4},
		{Process: p, Model: o, Method: GDDIM, NFE: 5, Order: -1},
		{Process: p, Model: o, Method: GDDIM, NFE: 5, Param: 3},
		{Process: p, Model: o, Method: EM, NFE: 5, Order: 2},
		{Process: p, Model: o, Method: SSCS, NFE: 5, Param: sde.FactorR},
		{Process: p, Model: o, Method: GDDIM, NFE: 1},
	} {
		if _, _, err := Sample(c, 1); err == nil {
			t.Errorf("%+v: no error", fmt.Sprint(c.Method, c.Order, c.Param, c.NFE))
		}
	}
	for _, s := range []string{"R", "L"} {
		if prm, err := sde.ParseFactor(s); err != nil || prm.String() != s {
			t.Errorf("sde.ParseFactor(%q) = %v, %v", s, prm, err)
		}
	}
	if _, err := sde.ParseFactor("K"); err == nil {
		t.Error("sde.ParseFactor(K): no error")
	}
	if m, err := ParseMethod("gddim"); err != nil || m != GDDIM {
		t.Errorf("ParseMethod(gddim) = %v, %v", m, err)
	}
}

// rmsDiff returns the root mean square of the differences of (x, v) and
// (xr, vr) (v, vr nil for VP).
func rmsDiff(x, v, xr, vr []float64) float64 {
	s := 0.0
	for i := range x {
		s += (x[i] - xr[i]) * (x[i] - xr[i])
		if v != nil {
			s += (v[i] - vr[i]) * (v[i] - vr[i])
		}
	}
	return math.Sqrt(s / float64(len(x)))
}

// TestGDDIMConvergenceOrder: on 8gaussians with the exact score (CLD), the
// RMS error of the state at ε = 1e-3 against the probability-flow ODE solved
// at rtol = atol = 1e-11 falls with NFE at slope q for order q (least-squares
// fit in log-log within 0.3), over 160 to 1280 steps with quadratic striding.
// The samples and the prior draw are fixed (seed 5, 32 samples), so the
// test is deterministic; the reference's own error (≲ 1e-9) is far below the
// smallest measured error (≈ 3e-6).
//
// Below about 160 steps CLD is pre-asymptotic; stopping at ε = 0.3 the
// slopes are clean from 10 steps, so the difficulty is near t = 0, where the
// HSM factor R_t turns by θ ≈ −2√(D_vv B/(3γM)) (16 rad per unit √B with the
// defaults) and ε̂ = −R_tᵀ s of non-point data with it (docs/samplers.md).
func TestGDDIMConvergenceOrder(t *testing.T) {
	t.Parallel()
	const n = 32
	p := processes(t)[1]
	o := toyOracle(t, p, "8gaussians")
	rc := Config{Process: p, Model: o, Method: ODE, NoDenoise: true, Seed: 5, RTol: 1e-11, ATol: 1e-11}
	_, _, xr, vr := runStates(t, rc, n)
	steps := []int{160, 320, 640, 1280}
	for q := 1; q <= 3; q++ {
		var lx, ly []float64
		for _, k := range steps {
			c := Config{Process: p, Model: o, Method: GDDIM, NFE: k, NoDenoise: true, Seed: 5, Order: q, Striding: Quadratic}
			_, _, x, v := runStates(t, c, n)
			e := rmsDiff(x, v, xr, vr)
			lx = append(lx, math.Log(float64(k)))
			ly = append(ly, math.Log(e))
			t.Logf("order %d, %d steps: RMS error %.3g", q, k, e)
		}
		slope := -fitSlope(lx, ly)
		t.Logf("order %d: fitted slope %.2f", q, slope)
		if math.Abs(slope-float64(q)) > 0.3 {
			t.Errorf("order %d: error falls at slope %.2f, want %d ± 0.3", q, slope, q)
		}
	}
}

// fitSlope returns the least-squares slope of y on x.
func fitSlope(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	return sxy / sxx
}

// gddimMMDLimit is the real-vs-real noise of MMD² for 3000 samples against
// 3000 fresh data (toy.Sample, reference seed 999): over 10 fresh draws
// (seeds 1001–1005 on diamond and on 8gaussians) the values ranged from
// −0.0012 to 0.0006 with standard deviation ≈ 0.0005; the limit is the
// largest plus two standard deviations.
const gddimMMDLimit = 0.0015

// TestGDDIMExactScoreMMD: with the exact score, order 3, quadratic
// striding and a fixed seed, 3000 samples at 20 NFE of CLD and PSLD are
// within the real-vs-real noise limit of MMD² on 8gaussians (−0.0011 for
// both) and diamond (0.00088 CLD, 0.00113 PSLD: within the limit, though
// above the largest of the 10 real-vs-real draws). The same limit rejects
// order 2 on diamond (0.0099) and order 1 on 8gaussians (0.0086) at 20 NFE,
// which is the test's power; with ε̂ interpolated in t instead of √B, order
// 3 on diamond measured 0.0034 and failed it. Values in docs/samplers.md.
func TestGDDIMExactScoreMMD(t *testing.T) {
	if testing.Short() {
		t.Skip("3000-sample MMD² runs")
	}
	t.Parallel()
	const n = 3000
	type run struct {
		name       string
		kind       int // index into processes
		nfe, q     int
		wantWithin bool
	}
	runs := []run{
		{"8gaussians", 1, 20, 3, true}, {"8gaussians", 2, 20, 3, true},
		{"diamond", 1, 20, 3, true}, {"diamond", 2, 20, 3, true},
		{"diamond", 1, 20, 2, false}, {"8gaussians", 1, 20, 1, false},
	}
	ps := processes(t)
	refs := map[string][]float64{}
	for _, r := range runs {
		ref, ok := refs[r.name]
		if !ok {
			var err error
			if ref, err = toy.Sample(r.name, n, 999); err != nil {
				t.Fatal(err)
			}
			refs[r.name] = ref
		}
		p := ps[r.kind]
		c := Config{Process: p, Model: toyOracle(t, p, r.name), Method: GDDIM, NFE: r.nfe, Order: r.q, Striding: Quadratic, Seed: 5}
		x, _ := mustSample(t, c, n)
		m, err := metrics.MMD2(x, ref, 2)
		if err != nil {
			t.Fatal(err)
		}
		label := fmt.Sprintf("%s %v order %d, %d NFE", r.name, p.Kind, r.q, r.nfe)
		t.Logf("%s: MMD² %.5f (limit %.4f)", label, m, gddimMMDLimit)
		if within := m <= gddimMMDLimit; within != r.wantWithin {
			t.Errorf("%s: MMD² %.5f, within the real-vs-real noise %.4f: %v, want %v", label, m, gddimMMDLimit, within, r.wantWithin)
		}
	}
}

// Sample i of GDDIM depends only on the seed and its index: a batch of 10
// equals the first 10 of a batch of 150 and the tail of a batch started at
// FirstIndex 5.
func TestGDDIMBatchIndependent(t *testing.T) {
	t.Parallel()
	p := processes(t)[2]
	o := toyOracle(t, p, "diamond")
	c := Config{Process: p, Model: o, Method: GDDIM, NFE: 12, Striding: Quadratic, Seed: 9}
	big, _ := mustSample(t, c, 150)
	small, _ := mustSample(t, c, 10)
	c.FirstIndex = 5
	off, _ := mustSample(t, c, 5)
	for i := range small {
		if small[i] != big[i] {
			t.Fatalf("value %d: batch of 10 %v, batch of 150 %v", i, small[i], big[i])
		}
	}
	for i := range off {
		if off[i] != big[10+i] {
			t.Fatalf("value %d from FirstIndex 5: %v, want %v", i, off[i], big[10+i])
		}
	}
}
