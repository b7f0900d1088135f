package sde

import (
	"math"
	"testing"

	"phasespace/rng"
)

func relClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if d := math.Abs(got - want); d > tol*math.Abs(want) {
		t.Errorf("%s = %.12g, want %.12g (relative error %.3g > %.1g)", what, got, want, d/math.Abs(want), tol)
	}
}

func mustCLD(t *testing.T, c CLDConfig) *Process {
	t.Helper()
	p, err := NewCLD(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustPSLD(t *testing.T, c PSLDConfig) *Process {
	t.Helper()
	p, err := NewPSLD(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Reference values (docs/method.md, Reference values): CLD, CIFAR-10
// defaults, HSM, no numerical epsilon.
func TestCLDReferenceVectors(t *testing.T) {
	exact := DefaultCLD()
	exact.NumericalEps = 0
	p := mustCLD(t, exact)
	pe := mustCLD(t, DefaultCLD())
	rows := []struct {
		t                         float64
		phi                       [4]float64
		sxx, sxv, svv             float64
		l11, l21, l22, ellH, ellD float64
		ellEps, invSvv            float64
	}{
		{0.01, [4]float64{0.9969656541, 0.1476986154, -0.03692465386, 0.8492670387},
			8.239131104e-4, 6.708075907e-3, 7.553548922e-2, 0.02870388668, 0.2336992193, 0.1446380452, 6.913810252, 7.21258169, 6.913799133, 13.2388},
		{0.1, [4]float64{0.8087921354, 0.7189263426, -0.1797315856, 0.08986579282},
			0.221810061, 0.1298598404, 0.2157583505, 0.4709671549, 0.2757301417, 0.3738064198, 2.675181449, 2.685986774, 2.675181437, 4.63481},
		{0.5, [4]float64{0.09157819444, 0.1465251111, -0.03663127778, -0.05494691667},
			0.9864607283, 5.286891016e-3, 0.2479335502, 0.9932072937, 5.323048923e-3, 0.4979008088, 2.008432166, 2.008558027, 2.008432162, 4.03334},
		{1.0, [4]float64{3.019163651e-3, 5.367402046e-3, -1.341850512e-3, -2.348238395e-3},
			0.9999839705, 7.076211786e-6, 0.249996876, 0.9999919852, 7.076268501e-6, 0.499996876, 2.000012496, 2.000012717, 2.000012492, 4.00005},
	}
	for _, r := range rows {
		k := p.MustKernel(r.t, HSM)
		relClose(t, "Φxx", k.Phi.XX, r.phi[0], 1e-9)
		relClose(t, "Φxv", k.Phi.XV, r.phi[1], 1e-9)
		relClose(t, "Φvx", k.Phi.VX, r.phi[2], 1e-9)
		relClose(t, "Φvv", k.Phi.VV, r.phi[3], 1e-9)
		relClose(t, "Σxx", k.Sigma.XX, r.sxx, 1e-9)
		relClose(t, "Σxv", k.Sigma.XV, r.sxv, 1e-9)
		relClose(t, "Σvv", k.Sigma.VV, r.svv, 1e-9)
		relClose(t, "L11", k.L.L11, r.l11, 1e-9)
		relClose(t, "L21", k.L.L21, r.l21, 1e-9)
		relClose(t, "L22", k.L.L22, r.l22, 1e-9)
		relClose(t, "ℓ HSM", k.Ell(), r.ellH, 1e-9)
		relClose(t, "ℓ DSM", p.MustKernel(r.t, DSM).Ell(), r.ellD, 1e-9)
		ke := pe.MustKernel(r.t, HSM)
		relClose(t, "ℓ HSM eps=1e-9", ke.Ell(), r.ellEps, 1e-9)
		relClose(t, "1/Σvv", 1/ke.Sigma.VV, r.invSvv, 1e-5)
	}
}

// Reference values (docs/method.md, Reference values): PSLD, CIFAR-10
// defaults, HSM.
func TestPSLDReferenceVectors(t *testing.T) {
	cfg := DefaultPSLD()
	cfg.NumericalEps = 0
	p := mustPSLD(t, cfg)
	rows := []struct {
		t                   float64
		phi                 [4]float64
		sxx, sxm, smm       float64
		l11, l21, l22       float64
		li11, li12, li22, f float64
	}{
		{0.01, [4]float64{0.9965669476, 0.1476395478, -0.03690988695, 0.8489273998},
			1.622934329e-3, 6.702711592e-3, 7.567500502e-2, 0.0402856591, 0.1663795937, 0.2190726725, 24.82272904, -18.85217141, 4.564695308, 992.41},
		{0.1, [4]float64{0.8055634286, 0.716056381, -0.1790140952, 0.08950704762},
			0.2280107447, 0.1288251061, 0.2160311909, 0.4775047065, 0.2697881389, 0.3784779399, 2.094220196, -1.492810306, 2.642161919, 13.595},
		{0.5, [4]float64{0.0897648247, 0.1436237195, -0.03590592988, -0.05385889482},
			0.9869916108, 5.079589054e-3, 0.2480145769, 0.9934745144, 5.112953559e-3, 0.4979843718, 1.006568347, -0.0103347364, 2.008095146, 5.0457},
		{1.0, [4]float64{2.900780551e-3, 5.156943202e-3, -1.2892358e-3, -2.256162651e-3},
			0.9999852029, 6.53216677e-6, 0.2499971162, 0.9999926014, 6.5322151e-6, 0.4999971162, 1.000007399, -1.306460221e-5, 2.000011535, 5.0001},
	}
	for _, r := range rows {
		k := p.MustKernel(r.t, HSM)
		relClose(t, "Φxx", k.Phi.XX, r.phi[0], 1e-9)
		relClose(t, "Φxm", k.Phi.XV, r.phi[1], 1e-9)
		relClose(t, "Φmx", k.Phi.VX, r.phi[2], 1e-9)
		relClose(t, "Φmm", k.Phi.VV, r.phi[3], 1e-9)
		relClose(t, "Σxx", k.Sigma.XX, r.sxx, 1e-9)
		relClose(t, "Σxm", k.Sigma.XV, r.sxm, 1e-9)
		relClose(t, "Σmm", k.Sigma.VV, r.smm, 1e-9)
		relClose(t, "L11", k.L.L11, r.l11, 1e-9)
		relClose(t, "L21", k.L.L21, r.l21, 1e-9)
		relClose(t, "L22", k.L.L22, r.l22, 1e-9)
		li11, li12, li22 := k.L.InvT()
		relClose(t, "li11", li11, r.li11, 1e-9)
		relClose(t, "li12", li12, r.li12, 1e-9)
		relClose(t, "li22", li22, r.li22, 1e-9)
		relClose(t, "‖L⁻ᵀ‖²", li11*li11+li12*li12+li22*li22, r.f, 1e-4)
	}
	// Γ = 0.02 (the sampled SOTA checkpoint) and Γ = 0.005 (CelebA-64).
	p2 := mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 0.02, Nu: 4.02, Kappa: 0.04})
	for _, r := range []struct{ t, sxx, sxm, smm, li22 float64 }{
		{0.01, 2.421316586e-3, 6.697351567e-3, 7.581440924e-2, 4.177940456},
		{0.1, 0.2341620209, 0.1277986167, 0.2163018573, 2.612175467},
		{0.5, 0.987501677, 4.880415518e-3, 0.2480924264, 2.007771842},
		{1, 0.9999863406, 6.029949923e-6, 0.2499973379, 2.000010649},
	} {
		k := p2.MustKernel(r.t, HSM)
		relClose(t, "Γ=.02 Σxx", k.Sigma.XX, r.sxx, 1e-9)
		relClose(t, "Γ=.02 Σxm", k.Sigma.XV, r.sxm, 1e-9)
		relClose(t, "Γ=.02 Σmm", k.Sigma.VV, r.smm, 1e-9)
		relClose(t, "Γ=.02 li22", k.Ell(), r.li22, 1e-9)
	}
	p3 := mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 0.005, Nu: 4.005, Kappa: 0.04})
	k := p3.MustKernel(0.01, HSM)
	relClose(t, "Γ=.005 Σxx", k.Sigma.XX, 1.223503622e-3, 1e-9)
	relClose(t, "Γ=.005 li22", k.Ell(), 5.073041508, 1e-9)
}

// Reference values (docs/method.md, Reference values): VP-SDE mean
// coefficient and σ_t.
func TestVPReferenceVectors(t *testing.T) {
	p, err := NewVP(DefaultVP())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ t, mean, std float64 }{
		{1e-5, 0.9999994995, 1.000497e-3}, {1e-3, 0.9999450265, 0.01048541634},
		{0.01, 0.9990029973, 0.04464315524}, {0.1, 0.9467217988, 0.3220525355},
		{0.5, 0.2811828808, 0.9596542021}, {1, 6.571586495e-3, 0.9999784069},
	} {
		k := p.MustKernel(r.t, DSM)
		relClose(t, "VP mean", k.Phi.XX, r.mean, 1e-9)
		tol := 1e-9
		if r.t == 1e-5 {
			tol = 1e-6 // the reference σ_t has 7 digits here
		}
		relClose(t, "VP σ", k.L.L11, r.std, tol)
		relClose(t, "VP ℓ", k.Ell(), 1/r.std, tol)
	}
}

// Small-t values, exact and with eps = 1e-9 (docs/method.md, Small-t
// behaviour of the scores).
func TestSmallTimeStressValues(t *testing.T) {
	exact := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	eps := mustCLD(t, DefaultCLD())
	k := exact.MustKernel(1e-4, HSM)
	relClose(t, "Σxx(1e-4)", k.Sigma.XX, 2.624092e-8, 1e-6)
	relClose(t, "Σxv(1e-4)", k.Sigma.XV, 1.660062e-5, 1e-6)
	relClose(t, "Σvv(1e-4)", k.Sigma.VV, 1.076677e-2, 1e-6)
	relClose(t, "ℓ HSM exact (1e-4)", k.Ell(), 61.45, 1e-3)
	relClose(t, "ℓ HSM eps (1e-4)", eps.MustKernel(1e-4, HSM).Ell(), 39.21, 1e-3)
	relClose(t, "ℓ HSM exact (1e-5)", exact.MustKernel(1e-5, HSM).Ell(), 193.7, 1e-3)
	relClose(t, "ℓ HSM eps (1e-5)", eps.MustKernel(1e-5, HSM).Ell(), 11.16, 1e-3)
	relClose(t, "ℓ DSM exact (1e-5)", exact.MustKernel(1e-5, DSM).Ell(), 223.6, 1e-3)
	relClose(t, "ℓ DSM eps (1e-5)", eps.MustKernel(1e-5, DSM).Ell(), 111.8, 1e-3)
	relClose(t, "ℓ HSM eps (1e-3)", eps.MustKernel(1e-3, HSM).Ell(), 19.92, 1e-3)
	relClose(t, "ℓ HSM exact (1e-3)", exact.MustKernel(1e-3, HSM).Ell(), 19.94, 1e-3)

	ps := mustPSLD(t, DefaultPSLD())
	kp := ps.MustKernel(1e-3, HSM)
	relClose(t, "PSLD Σxx(1e-3)", kp.Sigma.XX, 8.319144e-5, 1e-6)
	relClose(t, "PSLD Σxm(1e-3)", kp.Sigma.XV, 2.191673e-4, 1e-6)
	relClose(t, "PSLD Σmm(1e-3)", kp.Sigma.VV, 1.757623e-2, 1e-6)
	li11, li12, li22 := kp.L.InvT()
	relClose(t, "PSLD li11(1e-3)", li11, 109.64, 1e-4)
	relClose(t, "PSLD li12(1e-3)", li12, -20.21, 1e-3)
	relClose(t, "PSLD li22(1e-3)", li22, 7.670, 1e-3)
	// The reference t = 1e-5 values include eps = 1e-9 (without it li12 = −19.995).
	ke := ps.MustKernel(1e-5, HSM)
	relClose(t, "PSLD Σxx(1e-5)", ke.Sigma.XX, 8.0e-7, 1e-2)
	a, b, c := ke.L.InvT()
	relClose(t, "PSLD li11(1e-5)", a, 1117, 1e-3)
	relClose(t, "PSLD li12(1e-5)", b, -19.97, 1e-3)
	relClose(t, "PSLD li22(1e-5)", c, 9.96, 1e-3)
}

// The quadrature branch keeps full relative precision as t → 0, where the
// Lyapunov form cancels: compare against a Taylor expansion of the CLD DSM
// covariance, Σˣˣ ≈ (2Γ)·(M⁻¹)²·B³/3 for B → 0.
func TestCovarianceSmallTimeHasNoCancellation(t *testing.T) {
	p := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	for _, tt := range []float64{1e-9, 1e-8, 1e-7} {
		B := p.Schedule.Integral(tt)
		want := 2 * p.Friction * p.MInv * p.MInv * B * B * B / 3
		got := p.Cov(tt, Sym2{}).XX
		relClose(t, "DSM Σxx small t", got, want, 1e-5)
	}
}

func TestClosedFormsAgreeWithGenericForms(t *testing.T) {
	inits := []Sym2{{}, {VV: 0.01}, {XX: 0.3, VV: 0.02}, {XX: 0.5, VV: 0.01}}
	for _, minv := range []float64{4, 16, 1} {
		p := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 0.1, Beta1: 6.9}, MInv: minv, Gamma: 0.04})
		for _, tt := range []float64{0.001, 0.01, 0.1, 0.37, 0.5, 1} {
			B := p.Schedule.Integral(tt)
			for _, s0 := range inits {
				cf := CLDCovariance(B, p.Friction, s0.XX, s0.VV)
				for _, got := range []Sym2{p.Cov(tt, s0), p.CovLyapunov(tt, s0)} {
					closeSym(t, "CLD cov", got, cf, 1e-12)
				}
			}
			closeMat(t, "CLD mean", p.Propagator(0, tt), CLDMean(B, p.Friction), 1e-13)
		}
	}
	for _, g := range []float64{0, 0.005, 0.01, 0.02, 0.25} {
		p := mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: g, Nu: g + 4, Kappa: 0.04})
		for _, tt := range []float64{0.001, 0.01, 0.1, 0.5, 1} {
			b := p.Schedule.Integral(tt)
			for _, s0 := range inits {
				cf := PSLDCovariance(b, g, g+4, s0.XX, s0.VV)
				for _, got := range []Sym2{p.Cov(tt, s0), p.CovLyapunov(tt, s0)} {
					closeSym(t, "PSLD cov", got, cf, 1e-12)
				}
			}
			closeMat(t, "PSLD mean", p.Propagator(0, tt), PSLDMean(b, g, g+4), 1e-13)
		}
	}
}

func closeSym(t *testing.T, what string, got, want Sym2, tol float64) {
	t.Helper()
	// Relative to the largest entry, plus 2e-15 absolute: the papers' closed
	// forms cancel O(1) terms for small t and are only that accurate there.
	bound := tol*math.Max(math.Abs(want.XX), math.Abs(want.VV)) + 2e-15
	if math.Abs(got.XX-want.XX) > bound || math.Abs(got.XV-want.XV) > bound || math.Abs(got.VV-want.VV) > bound {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

func closeMat(t *testing.T, what string, got, want Mat2, tol float64) {
	t.Helper()
	if math.Abs(got.XX-want.XX) > tol || math.Abs(got.XV-want.XV) > tol || math.Abs(got.VX-want.VX) > tol || math.Abs(got.VV-want.VV) > tol {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

// rk4Moments integrates dμ/dt = β(t)Aμ and dΣ/dt = β(t)(AΣ + ΣAᵀ + D) from 0 to t.
func rk4Moments(p *Process, mu0 [2]float64, s0 Sym2, t float64, steps int) ([2]float64, Sym2) {
	type state struct {
		m [2]float64
		s Sym2
	}
	deriv := func(tt float64, y state) state {
		b := p.Beta(tt)
		a := p.A
		mx, mv := a.Apply(y.m[0], y.m[1])
		as := a.Mul(y.s.Mat())
		return state{
			m: [2]float64{b * mx, b * mv},
			s: Sym2{
				XX: b * (2*as.XX + p.D.XX),
				XV: b * (as.XV + as.VX + p.D.XV),
				VV: b * (2*as.VV + p.D.VV),
			},
		}
	}
	add := func(y, k state, h float64) state {
		return state{
			m: [2]float64{y.m[0] + h*k.m[0], y.m[1] + h*k.m[1]},
			s: y.s.Add(k.s.Scale(h)),
		}
	}
	y := state{mu0, s0}
	h := t / float64(steps)
	for i := 0; i < steps; i++ {
		tt := float64(i) * h
		k1 := deriv(tt, y)
		k2 := deriv(tt+h/2, add(y, k1, h/2))
		k3 := deriv(tt+h/2, add(y, k2, h/2))
		k4 := deriv(tt+h, add(y, k3, h))
		y = add(y, k1, h/6)
		y = add(y, k2, h/3)
		y = add(y, k3, h/3)
		y = add(y, k4, h/6)
	}
	return y.m, y.s
}

func TestKernelAgreesWithRK4MomentODEs(t *testing.T) {
	procs := []*Process{
		mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04}),
		mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 0.1, Beta1: 6.9}, MInv: 4, Gamma: 0.04}),
		mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 16, Gamma: 0.04}),
		mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 0.01, Nu: 4.01, Kappa: 0.04}),
		mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 2, Beta1: 10}, Gamma: 0.02, Nu: 4.02, Kappa: 0.04}),
		mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 3, Nu: 1, Kappa: 0.04}), // off the CLD line
	}
	vp, _ := NewVP(DefaultVP())
	procs = append(procs, vp)
	for _, p := range procs {
		for _, s0 := range []Sym2{{}, {VV: 0.01}, {XX: 0.3, XV: 0.05, VV: 0.2}} {
			if p.Order() == 1 {
				s0 = Sym2{XX: s0.XX}
			}
			mu0 := [2]float64{0.7, -0.4}
			if p.Order() == 1 {
				mu0[1] = 0
			}
			for _, tt := range []float64{0.01, 0.25, 1} {
				m, s := rk4Moments(p, mu0, s0, tt, 4000)
				phi := p.Propagator(0, tt)
				mx, mv := phi.Apply(mu0[0], mu0[1])
				cov := p.Cov(tt, s0)
				if math.Abs(mx-m[0]) > 1e-12 || math.Abs(mv-m[1]) > 1e-12 {
					t.Errorf("%v t=%v: mean (%v, %v), RK4 (%v, %v)", p, tt, mx, mv, m[0], m[1])
				}
				closeSym(t, p.String()+" cov vs RK4", cov, s, 1e-12)
			}
		}
	}
}

func TestPSLDWithZeroGammaIsCLD(t *testing.T) {
	ps := mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 0, Nu: 4, Kappa: 0.04})
	cl := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	for _, tt := range []float64{1e-4, 0.01, 0.1, 0.5, 1} {
		for _, o := range []Objective{HSM, DSM} {
			a, b := ps.MustKernel(tt, o), cl.MustKernel(tt, o)
			closeMat(t, "Φ", a.Phi, b.Phi, 1e-15)
			closeSym(t, "Σ", a.Sigma, b.Sigma, 1e-13)
		}
	}
}

func TestLargeTimeReachesEquilibrium(t *testing.T) {
	for _, p := range []*Process{
		mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 40}, MInv: 4, Gamma: 0.04}),
		mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 60}, MInv: 16, Gamma: 0.04}),
		mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 80}, Gamma: 0.01, Nu: 4.01, Kappa: 0.04}),
	} {
		k := p.MustKernel(1, HSM)
		closeSym(t, p.String()+" Σ(large t)", k.Sigma, Sym2{XX: 1, VV: p.Mass()}, 1e-9)
		relClose(t, "ℓ(large t)", k.Ell(), 1/math.Sqrt(p.Mass()), 1e-8)
		// Σ∞ solves the Lyapunov equation.
		as := p.A.Mul(p.Stationary.Mat())
		if r := math.Abs(2*as.XX+p.D.XX) + math.Abs(as.XV+as.VX) + math.Abs(2*as.VV+p.D.VV); r > 1e-14 {
			t.Errorf("%v: Lyapunov residual %v", p, r)
		}
	}
}

// The exact SSCS A-half-step (Dockhorn et al. 2022, §3.3; Pandey & Mandt
// 2023, Eq. 12) against the reference values of docs/method.md, Reference
// values.
func TestSplitStepVectors(t *testing.T) {
	cl := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	phi, s := cl.SplitStep(0.04)
	closeMat(t, "CLD split mean", phi, Mat2{0.9969656541, -0.1476986154, 0.0369246539, 0.8492670387}, 1e-10)
	relClose(t, "CLD split Σxx", s.XX, 6.057643004e-4, 1e-9)
	relClose(t, "CLD split Σxv", s.XV, -5.453720249e-3, 1e-9)
	relClose(t, "CLD split Σvv", s.VV, 6.832294419e-2, 1e-9)
	ps := mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 0.01, Nu: 4.01, Kappa: 0.04})
	phi, s = ps.SplitStep(0.08)
	closeMat(t, "PSLD split mean", phi, Mat2{0.9965669476, -0.1476395478, 0.0369098869, 0.8489273998}, 1e-10)
	relClose(t, "PSLD split Σxx", s.XX, 1.404959968e-3, 1e-9)
	relClose(t, "PSLD split Σxm", s.XV, -5.449359018e-3, 1e-9)
	relClose(t, "PSLD split Σmm", s.VV, 6.846822772e-2, 1e-9)
}

func TestExpmAllRegimes(t *testing.T) {
	for _, a := range []Mat2{
		{0, 4, -1, -4},        // critical (CLD)
		{-0.5, 0.3, -0.2, -2}, // over-damped
		{-0.1, 1, -1, -0.1},   // under-damped
		{0, 1, -1, 0},         // rotation
		{-0.5, 0, 0, 0},       // VP
		{-1, 1e-9, 0, -1},     // nearly degenerate
	} {
		for _, s := range []float64{0, 1e-6, 0.3, 2.5} {
			got := Expm(s, a)
			// Reference: Taylor series with scaling and squaring.
			n := 20
			h := s / float64(int(1)<<n)
			term, sum := Identity2(), Identity2()
			for k := 1; k < 12; k++ {
				term = term.Mul(a.Scale(h / float64(k)))
				sum = Mat2{sum.XX + term.XX, sum.XV + term.XV, sum.VX + term.VX, sum.VV + term.VV}
			}
			for i := 0; i < n; i++ {
				sum = sum.Mul(sum)
			}
			closeMat(t, "Expm", got, sum, 1e-9)
		}
	}
}

// A fine Euler–Maruyama simulation of the forward SDE matches the kernel's
// mean and covariance within sampling error.
func TestMonteCarloForwardSimulationMatchesKernel(t *testing.T) {
	const n, steps = 20000, 800
	for _, p := range []*Process{
		mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04}),
		mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 2, Beta1: 12}, Gamma: 0.3, Nu: 4.3, Kappa: 0.04}),
	} {
		tEnd := 0.3
		x0 := 0.8
		h := tEnd / steps
		var sx, sv, sxx, sxv, svv float64
		r := rng.New(11, uint64(p.Kind))
		for i := 0; i < n; i++ {
			x, v := x0, math.Sqrt(p.InitVelVar*p.Mass())*r.NormFloat64() // HSM: v₀ ~ N(0, γM)
			for k := 0; k < steps; k++ {
				tt := (float64(k) + 0.5) * h
				f := p.DriftCoefficients(tt)
				g := p.DiffusionSq(tt)
				dx, dv := f.Apply(x, v)
				x += dx*h + math.Sqrt(g.XX*h)*r.NormFloat64()
				v += dv*h + math.Sqrt(g.VV*h)*r.NormFloat64()
			}
			sx += x
			sv += v
			sxx += x * x
			sxv += x * v
			svv += v * v
		}
		mx, mv := sx/n, sv/n
		cov := Sym2{sxx/n - mx*mx, sxv/n - mx*mv, svv/n - mv*mv}
		k := p.MustKernel(tEnd, HSM)
		wx, wv := k.Phi.Apply(x0, 0)
		if math.Abs(mx-wx) > 5*math.Sqrt(k.Sigma.XX/n)+2e-3 || math.Abs(mv-wv) > 5*math.Sqrt(k.Sigma.VV/n)+2e-3 {
			t.Errorf("%v: MC mean (%v, %v), kernel (%v, %v)", p, mx, mv, wx, wv)
		}
		// s.e. of a sample covariance entry ≈ √((σᵢᵢσⱼⱼ + σᵢⱼ²)/n); allow 5 s.e. plus O(h) bias.
		se := func(a, b, c float64) float64 { return math.Sqrt((a*b + c*c) / n) }
		if math.Abs(cov.XX-k.Sigma.XX) > 5*se(k.Sigma.XX, k.Sigma.XX, k.Sigma.XX)+0.01*k.Sigma.XX ||
			math.Abs(cov.XV-k.Sigma.XV) > 5*se(k.Sigma.XX, k.Sigma.VV, k.Sigma.XV)+0.01*math.Abs(k.Sigma.XV) ||
			math.Abs(cov.VV-k.Sigma.VV) > 5*se(k.Sigma.VV, k.Sigma.VV, k.Sigma.VV)+0.01*k.Sigma.VV {
			t.Errorf("%v: MC covariance %+v, kernel %+v", p, cov, k.Sigma)
		}
	}
}

func TestConstructorsRejectBadParameters(t *testing.T) {
	if _, err := NewCLD(CLDConfig{Schedule: Schedule{Beta0: -1}, MInv: 4, Gamma: 0.04}); err == nil {
		t.Error("negative beta accepted")
	}
	if _, err := NewCLD(CLDConfig{Schedule: Schedule{Beta0: 4, Beta1: -5}, MInv: 4, Gamma: 0.04}); err == nil {
		t.Error("β(T) < 0 accepted")
	}
	if _, err := NewCLD(CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 0, Gamma: 0.04}); err == nil {
		t.Error("M⁻¹ = 0 accepted")
	}
	if _, err := NewPSLD(PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 1, Nu: 1, Kappa: 0.04}); err == nil {
		t.Error("ν = Γ accepted")
	}
	if _, err := NewVP(VPConfig{BetaMin: 0.1, BetaMax: 20, NumericalEps: -1}); err == nil {
		t.Error("negative eps accepted")
	}
	p := mustCLD(t, DefaultCLD())
	if _, err := p.Kernel(1.5, HSM); err == nil {
		t.Error("t > T accepted")
	}
	if _, err := p.Kernel(-0.1, HSM); err == nil {
		t.Error("t < 0 accepted")
	}
	// DSM at t = 0 without eps has a singular covariance: a clear error, not NaN.
	q := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	if _, err := q.Kernel(0, DSM); err == nil {
		t.Error("singular kernel at t = 0 accepted")
	}
}
