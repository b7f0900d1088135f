package sde

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// paperDrift is the reverse-SDE drift (c = 1) or the probability-flow drift
// (c = ½) of one coordinate, written out from each paper's SDE rather than
// from Process.A and Process.D: f(u, t) − c·G Gᵀ s with
//
//	VP:   dx = −½β x dt + √β dW                                  (Song et al. 2021)
//	CLD:  dx = M⁻¹β v dt, dv = (−β x − ΓM⁻¹β v) dt + √(2Γβ) dW   (Dockhorn et al. 2022)
//	PSLD: dx = (β/2)(M⁻¹m − Γx) dt + √(Γβ) dWˣ,
//	      dm = (β/2)(−x − νm) dt + √(Mνβ) dWᵐ                     (Pandey & Mandt 2023)
//
// It also returns, per component, the sum of the magnitudes of the terms,
// which bounds the rounding error of either evaluation.
func paperDrift(kind Kind, beta, minv, fr, nu, c, x, v, sx, sv float64) (dx, dv, scaleX, scaleV float64) {
	switch kind {
	case VP:
		f, g2 := -0.5*beta*x, beta
		return f - c*g2*sx, 0, math.Abs(f) + math.Abs(c*g2*sx), 0
	case CLD:
		fx := minv * beta * v
		fv1, fv2 := -beta*x, -fr*minv*beta*v
		g2 := 2 * fr * beta
		return fx, fv1 + fv2 - c*g2*sv,
			math.Abs(fx), math.Abs(fv1) + math.Abs(fv2) + math.Abs(c*g2*sv)
	case PSLD:
		m := 1 / minv
		fx1, fx2 := beta/2*minv*v, -beta/2*fr*x
		fv1, fv2 := -beta/2*x, -beta/2*nu*v
		gx2, gv2 := fr*beta, m*nu*beta
		return fx1 + fx2 - c*gx2*sx, fv1 + fv2 - c*gv2*sv,
			math.Abs(fx1) + math.Abs(fx2) + math.Abs(c*gx2*sx),
			math.Abs(fv1) + math.Abs(fv2) + math.Abs(c*gv2*sv)
	}
	panic("paperDrift: unknown kind")
}

// TestDriftsMatchPaperSDEs: ReverseDrift and ProbabilityFlowDrift, through
// At1/At2 and Eval, equal the drifts written out from each paper's SDE at
// random times, states and scores, for non-default parameters and a
// time-dependent β, to within 4 ulp of the terms' magnitudes.
func TestDriftsMatchPaperSDEs(t *testing.T) {
	t.Parallel()
	vp, err := NewVP(VPConfig{BetaMin: 0.3, BetaMax: 17})
	if err != nil {
		t.Fatal(err)
	}
	procs := []*Process{
		vp,
		mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 3, Beta1: 2.5}, MInv: 2.5, Gamma: 0.04}),
		mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 7, Beta1: -1.5}, Gamma: 0.3, Nu: 3.1, Kappa: 0.04}),
	}
	r := rand.New(rand.NewPCG(1, 2))
	const n = 200
	for _, p := range procs {
		for _, flow := range []bool{false, true} {
			name, c := "ReverseDrift", 1.0
			if flow {
				name, c = "ProbabilityFlowDrift", 0.5
			}
			for trial := 0; trial < 20; trial++ {
				tm := r.Float64() * p.T
				dr := p.ReverseDrift(tm)
				if flow {
					dr = p.ProbabilityFlowDrift(tm)
				}
				beta := p.Schedule.Beta0 + p.Schedule.Beta1*tm
				x, v, sx, sv := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
				for j := range x {
					x[j], v[j] = 3*r.NormFloat64(), 3*r.NormFloat64()
					sx[j], sv[j] = 10*r.NormFloat64(), 10*r.NormFloat64()
				}
				if p.Order() == 1 {
					v, sv = nil, nil
				}
				dx, dv := make([]float64, n), make([]float64, n)
				dr.Eval(dx, dv, x, v, sx, sv)
				for j := range x {
					var vj, svj, gx, gv float64
					if p.Order() == 1 {
						gx = dr.At1(x[j], sx[j])
					} else {
						vj, svj = v[j], sv[j]
						gx, gv = dr.At2(x[j], vj, sx[j], svj)
					}
					wx, wv, scx, scv := paperDrift(p.Kind, beta, p.MInv, p.Friction, p.Nu, c, x[j], vj, sx[j], svj)
					if math.Abs(gx-wx) > 4*eps*scx || math.Abs(gv-wv) > 4*eps*scv {
						t.Fatalf("%v %s(t=%v) at (x, v, sˣ, sᵛ) = (%v, %v, %v, %v): got (%v, %v), want (%v, %v)",
							p.Kind, name, tm, x[j], vj, sx[j], svj, gx, gv, wx, wv)
					}
					if dx[j] != gx || (p.Order() == 2 && dv[j] != gv) {
						t.Fatalf("%v %s: Eval gives (%v, %v) at %d, At gives (%v, %v)", p.Kind, name, dx[j], dv[j], j, gx, gv)
					}
				}
			}
		}
	}
}

const eps = 0x1p-52

// TestDriftEvalAliasesAndAllocs: Eval may write over its input (dx = x,
// dv = v) and allocates nothing (not parallel: AllocsPerRun forbids it).
func TestDriftEvalAliasesAndAllocs(t *testing.T) {
	p := mustPSLD(t, DefaultPSLD())
	dr := p.ProbabilityFlowDrift(0.3)
	x, v := []float64{0.5, -1, 2}, []float64{1, 0.25, -3}
	sx, sv := []float64{-0.5, 1, -2}, []float64{-0.1, 0.2, 0.3}
	dx, dv := make([]float64, 3), make([]float64, 3)
	dr.Eval(dx, dv, x, v, sx, sv)
	dr.Eval(x, v, x, v, sx, sv)
	for j := range x {
		if x[j] != dx[j] || v[j] != dv[j] {
			t.Errorf("aliased Eval at %d: (%v, %v), want (%v, %v)", j, x[j], v[j], dx[j], dv[j])
		}
	}
	func() {
		defer func() {
			if r := recover(); r != errShortSlice {
				t.Errorf("Eval with a short dv: recovered %v, want %q", r, errShortSlice)
			}
		}()
		short := make([]float64, 2, 3)
		dr.Eval(dx, short, x, v, sx, sv)
	}()
	if a := testing.AllocsPerRun(10, func() { dr := p.ReverseDrift(0.5); dr.Eval(dx, dv, dx, dv, sx, sv) }); a != 0 {
		t.Errorf("ReverseDrift + Eval: %v allocations per run, want 0", a)
	}
}

// TestDriftScoreCoefficients: the factors of the score are β·D (reverse
// SDE) and ½β·D (probability flow), i.e. G Gᵀ and ½ G Gᵀ.
func TestDriftScoreCoefficients(t *testing.T) {
	t.Parallel()
	p := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4, Beta1: 1}, MInv: 4, Gamma: 0.04})
	g := p.DiffusionSq(0.25)
	rev, flow := p.ReverseDrift(0.25), p.ProbabilityFlowDrift(0.25)
	if cx, cv := rev.ScoreCoefficients(); cx != g.XX || cv != g.VV {
		t.Errorf("reverse: (%v, %v), want GGᵀ = (%v, %v)", cx, cv, g.XX, g.VV)
	}
	if cx, cv := flow.ScoreCoefficients(); cx != g.XX/2 || cv != g.VV/2 {
		t.Errorf("probability flow: (%v, %v), want ½GGᵀ = (%v, %v)", cx, cv, g.XX/2, g.VV/2)
	}
}

// TestUnknownKind: a Process whose Kind is not VP, CLD or PSLD is an error
// for Validate, a panic naming the kind for the methods that return no
// error, and never treated as PSLD.
func TestUnknownKind(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{0, PSLD + 1, -1} {
		psld := mustPSLD(t, DefaultPSLD())
		p := *psld
		p.Kind = k
		err := p.Validate()
		if err == nil || !strings.Contains(err.Error(), "unknown SDE kind") || !strings.Contains(err.Error(), k.String()) {
			t.Errorf("Kind %d: Validate() = %v, want an unknown-kind error naming %v", int(k), err, k)
		}
		if s := p.String(); strings.HasPrefix(s, "psld") {
			t.Errorf("Kind %d: String() = %q, describes a PSLD", int(k), s)
		}
		for name, f := range map[string]func(){
			"Order":                func() { p.Order() },
			"ReverseDrift":         func() { p.ReverseDrift(0.5) },
			"ProbabilityFlowDrift": func() { p.ProbabilityFlowDrift(0.5) },
			"InitialCov":           func() { p.InitialCov(HSM) },
			"Kernel":               func() { _, _ = p.Kernel(0.5, HSM) },
		} {
			func() {
				defer func() {
					r := recover()
					e, ok := r.(error)
					if !ok || !strings.Contains(e.Error(), "unknown SDE kind") {
						t.Errorf("Kind %d: %s panicked with %v, want an unknown-kind error", int(k), name, r)
					}
				}()
				f()
			}()
		}
	}
	for _, p := range []*Process{mustPSLD(t, DefaultPSLD()), mustCLD(t, DefaultCLD())} {
		if err := p.Validate(); err != nil {
			t.Errorf("%v: Validate() = %v for a constructed process", p.Kind, err)
		}
	}
	vp, err := NewVP(DefaultVP())
	if err != nil {
		t.Fatal(err)
	}
	if err := vp.Validate(); err != nil {
		t.Errorf("vp: Validate() = %v", err)
	}
	bad := *vp
	bad.D.XV = 0.1
	if err := bad.Validate(); err == nil {
		t.Error("non-diagonal D: Validate() = nil, want an error")
	}
}
