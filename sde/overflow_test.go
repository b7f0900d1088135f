package sde

import (
	"math"
	"math/big"
	"strings"
	"testing"
)

// The tests in this file hold every kernel, split step and closed form to
// an independent reference in 512-bit arithmetic (math/big: the matrix
// exponential by Taylor series with scaling and squaring, the stationary
// covariance by solving the Lyapunov equation exactly, the covariance by
// the Lyapunov form Σ∞ + Φ(Σ₀ − Σ∞)Φᵀ, whose cancellation 512 bits absorb)
// for integrated β from 1e-12 to 1e6, where the float64 entries neither
// overflow nor underflow harmfully.

const bigPrec = 512

type bigMat [4]*big.Float // xx, xv, vx, vv

func bf(x float64) *big.Float { return new(big.Float).SetPrec(bigPrec).SetFloat64(x) }

func bigMul(x, y *big.Float) *big.Float { return new(big.Float).SetPrec(bigPrec).Mul(x, y) }

func bigAdd(x, y *big.Float) *big.Float { return new(big.Float).SetPrec(bigPrec).Add(x, y) }

func bigSub(x, y *big.Float) *big.Float { return new(big.Float).SetPrec(bigPrec).Sub(x, y) }

func bigQuo(x, y *big.Float) *big.Float { return new(big.Float).SetPrec(bigPrec).Quo(x, y) }

func (m bigMat) mul(n bigMat) bigMat {
	return bigMat{
		bigAdd(bigMul(m[0], n[0]), bigMul(m[1], n[2])), bigAdd(bigMul(m[0], n[1]), bigMul(m[1], n[3])),
		bigAdd(bigMul(m[2], n[0]), bigMul(m[3], n[2])), bigAdd(bigMul(m[2], n[1]), bigMul(m[3], n[3])),
	}
}

func toBig(a Mat2) bigMat { return bigMat{bf(a.XX), bf(a.XV), bf(a.VX), bf(a.VV)} }

func (m bigMat) float() Mat2 {
	f := func(x *big.Float) float64 { v, _ := x.Float64(); return v }
	return Mat2{f(m[0]), f(m[1]), f(m[2]), f(m[3])}
}

// bigExpm returns exp(s·a): Taylor series of exp(s·a/2ᵏ) with ‖s·a‖/2ᵏ ≤ ½,
// squared k times.
func bigExpm(s float64, a Mat2) bigMat {
	m := toBig(a)
	for i := range m {
		m[i] = bigMul(m[i], bf(s))
	}
	norm := math.Abs(s) * math.Max(math.Abs(a.XX)+math.Abs(a.XV), math.Abs(a.VX)+math.Abs(a.VV))
	k := 0
	for norm > 0.5 {
		norm /= 2
		k++
	}
	for i := range m {
		m[i] = new(big.Float).SetPrec(bigPrec).SetMantExp(m[i], -k)
	}
	id := bigMat{bf(1), bf(0), bf(0), bf(1)}
	sum, term := id, id
	for j := 1; j <= 90; j++ { // (½)⁹⁰/90! < 2⁻⁵¹²
		term = term.mul(m)
		for i := range term {
			term[i] = bigQuo(term[i], bf(float64(j)))
		}
		for i := range sum {
			sum[i] = bigAdd(sum[i], term[i])
		}
	}
	for ; k > 0; k-- {
		sum = sum.mul(sum)
	}
	return sum
}

type bigSym [3]*big.Float // xx, xv, vv

func toBigSym(s Sym2) bigSym { return bigSym{bf(s.XX), bf(s.XV), bf(s.VV)} }

func (s bigSym) float() Sym2 {
	f := func(x *big.Float) float64 { v, _ := x.Float64(); return v }
	return Sym2{f(s[0]), f(s[1]), f(s[2])}
}

// bigStationary solves A Σ + Σ Aᵀ + D = 0 exactly (Cramer's rule); for an
// order-1 process only Σˣˣ = −Dˣˣ/(2Aˣˣ) is defined and the rest is 0.
func bigStationary(a Mat2, d Sym2, order int) bigSym {
	if order == 1 {
		return bigSym{bigQuo(bf(-d.XX), bf(2*a.XX)), bf(0), bf(0)}
	}
	// Unknowns (X, Y, Z) = (Σˣˣ, Σˣᵛ, Σᵛᵛ):
	//   2a₁₁X + 2a₁₂Y          = −d₁₁
	//   a₂₁X + (a₁₁+a₂₂)Y + a₁₂Z = −d₁₂
	//          2a₂₁Y + 2a₂₂Z   = −d₂₂
	z := bf(0)
	m := [3][3]*big.Float{
		{bf(2 * a.XX), bf(2 * a.XV), z},
		{bf(a.VX), bigAdd(bf(a.XX), bf(a.VV)), bf(a.XV)},
		{z, bf(2 * a.VX), bf(2 * a.VV)},
	}
	rhs := [3]*big.Float{bf(-d.XX), bf(-d.XV), bf(-d.VV)}
	det3 := func(m [3][3]*big.Float) *big.Float {
		t := func(i, j, k int) *big.Float {
			return bigMul(m[0][i], bigSub(bigMul(m[1][j], m[2][k]), bigMul(m[1][k], m[2][j])))
		}
		return bigAdd(bigSub(t(0, 1, 2), t(1, 0, 2)), t(2, 0, 1))
	}
	det := det3(m)
	var out bigSym
	for c := 0; c < 3; c++ {
		mc := m
		for r := 0; r < 3; r++ {
			mc[r][c] = rhs[r]
		}
		out[c] = bigQuo(det3(mc), det)
	}
	return out
}

// bigFlow returns Φ = exp(b·a) and Σ∞ + Φ(Σ₀ − Σ∞)Φᵀ in 512-bit arithmetic.
func bigFlow(a Mat2, d, sigma0 Sym2, b float64, order int) (Mat2, Sym2, Sym2) {
	phi := bigExpm(b, a)
	sinf := bigStationary(a, d, order)
	s0 := toBigSym(sigma0)
	dx, dxv, dv := bigSub(s0[0], sinf[0]), bigSub(s0[1], sinf[1]), bigSub(s0[2], sinf[2])
	// t = Φ·(Σ₀ − Σ∞)
	txx := bigAdd(bigMul(phi[0], dx), bigMul(phi[1], dxv))
	txv := bigAdd(bigMul(phi[0], dxv), bigMul(phi[1], dv))
	tvx := bigAdd(bigMul(phi[2], dx), bigMul(phi[3], dxv))
	tvv := bigAdd(bigMul(phi[2], dxv), bigMul(phi[3], dv))
	s := bigSym{
		bigAdd(sinf[0], bigAdd(bigMul(txx, phi[0]), bigMul(txv, phi[1]))),
		bigAdd(sinf[1], bigAdd(bigMul(txx, phi[2]), bigMul(txv, phi[3]))),
		bigAdd(sinf[2], bigAdd(bigMul(tvx, phi[2]), bigMul(tvv, phi[3]))),
	}
	return phi.float(), s.float(), sinf.float()
}

// logGrid returns B = 10^e for e = −12, −11.75, …, 6.
func logGrid() []float64 {
	var g []float64
	for e := -48; e <= 24; e++ {
		g = append(g, math.Pow(10, float64(e)/4))
	}
	return g
}

func finiteMat(m Mat2) bool {
	return isFinite(m.XX) && isFinite(m.XV) && isFinite(m.VX) && isFinite(m.VV)
}

func finiteSym(s Sym2) bool { return isFinite(s.XX) && isFinite(s.XV) && isFinite(s.VV) }

// matClose: every entry within tol of the largest entry of want (plus the
// subnormal range, where float64 itself has no relative precision).
func matClose(got, want Mat2, tol float64) bool {
	scale := math.Max(math.Max(math.Abs(want.XX), math.Abs(want.XV)), math.Max(math.Abs(want.VX), math.Abs(want.VV)))
	bound := tol*scale + 1e-300
	return math.Abs(got.XX-want.XX) <= bound && math.Abs(got.XV-want.XV) <= bound &&
		math.Abs(got.VX-want.VX) <= bound && math.Abs(got.VV-want.VV) <= bound
}

// expmTol is the accuracy to which exp(s·a) is determined by the float64
// entries of a, relative to its largest entry: 1e-13 plus the effect of
// rounding a's entries (ε‖a‖), which moves the argument s·tr(a)/2 by
// ε·s·|tr a|/2 and, near critical damping, where the derivative of exp is
// O(s²), moves exp(s·a) by O(ε·s²·|Δ|) with |Δ| ≤ ((a.XX−a.VV)/2)² + |a.XV·a.VX|.
// (The reference exponentiates the rounded matrix exactly: a critically
// damped A rounded to float64 is slightly over- or under-damped.)
func expmTol(s float64, a Mat2) float64 {
	const eps = 0x1p-52
	h := math.Abs(a.XX+a.VV) / 2
	n := (a.XX-a.VV)/2*(a.XX-a.VV)/2 + math.Abs(a.XV*a.VX)
	return 1e-13 + 4*eps*(s*h+s*s*n)
}

// symClose: diagonal entries relative to themselves, the off-diagonal one
// relative to √(ΣˣˣΣᵛᵛ) (that is, the correlation to tol).
func symClose(got, want Sym2, tol float64, order int) bool {
	ok := math.Abs(got.XX-want.XX) <= tol*math.Abs(want.XX)+1e-300
	if order == 2 {
		ok = ok && math.Abs(got.VV-want.VV) <= tol*math.Abs(want.VV)+1e-300 &&
			math.Abs(got.XV-want.XV) <= tol*math.Sqrt(math.Abs(want.XX*want.VV))+1e-300
	}
	return ok
}

// linearProcess builds a Process with the drift and noise of CLD or PSLD but
// any mass, so that the over- and under-damped regimes, which the
// constructors exclude by fixing critical damping, are covered too. Σ∞ =
// diag(1, M) solves the Lyapunov equation for every M in both families.
func linearProcess(kind Kind, minv, friction, nu float64) *Process {
	m := 1 / minv
	p := &Process{Kind: kind, T: 1, Schedule: Schedule{Beta0: 1}, Stationary: Sym2{XX: 1, VV: m},
		MInv: minv, Friction: friction, Nu: nu, InitVelVar: 0.04}
	switch kind {
	case CLD:
		p.A = Mat2{XX: 0, XV: minv, VX: -1, VV: -friction * minv}
		p.D = Sym2{VV: 2 * friction}
	case PSLD:
		p.A = Mat2{XX: -friction / 2, XV: minv / 2, VX: -0.5, VV: -nu / 2}
		p.D = Sym2{XX: friction, VV: m * nu}
	default:
		panic("linearProcess: CLD or PSLD")
	}
	return p
}

type namedProcess struct {
	name string
	p    *Process
}

func overflowCases(t *testing.T) []namedProcess {
	vp, err := NewVP(VPConfig{BetaMin: 0.1, BetaMax: 20})
	if err != nil {
		t.Fatal(err)
	}
	return []namedProcess{
		{"vp", vp},
		{"cld M⁻¹=4", mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})},
		{"cld M⁻¹=0.25", mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 0.25, Gamma: 0.04})},
		{"cld M⁻¹=100", mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 100, Gamma: 0.04})},
		{"psld default", mustPSLD(t, DefaultPSLD())},
		{"psld Γ=0", mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 0, Nu: 4, Kappa: 0.04})},
		{"psld ν<Γ", mustPSLD(t, PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 1.5, Nu: 0.2, Kappa: 0.04})},
		{"cld over-damped Γ=8", linearProcess(CLD, 4, 8, 0)},
		{"cld under-damped Γ=0.1", linearProcess(CLD, 4, 0.1, 0)},
		{"psld over-damped M⁻¹=0.5", linearProcess(PSLD, 0.5, 0.01, 4.01)},
		{"psld under-damped M⁻¹=40", linearProcess(PSLD, 40, 0.01, 4.01)},
		{"psld under-damped Γ=ν=1", linearProcess(PSLD, 1, 1, 1)},
		{"psld over-damped Γ=3 ν=0.5", linearProcess(PSLD, 0.01, 3, 0.5)},
	}
}

// At every integrated β from 1e-12 to 1e6, for every SDE and both
// objectives, Φ, Σ, L, L⁻ᵀ and ℓ_t are finite, agree with the 512-bit
// reference and reach Φ → 0, Σ → Σ∞ at large B.
func TestKernelsAtExtremeIntegratedBeta(t *testing.T) {
	t.Parallel()
	for _, c := range overflowCases(t) {
		p := *c.p
		order := p.Order()
		fails := 0
		for _, B := range logGrid() {
			p.Schedule = Schedule{Beta0: B} // B(1) = B
			for _, o := range []Objective{HSM, DSM} {
				k, err := p.Kernel(1, o)
				if err != nil {
					t.Errorf("%s %v B = %g: %v", c.name, o, B, err)
					fails++
					continue
				}
				li11, li12, li22 := k.L.InvT()
				if !finiteMat(k.Phi) || !finiteSym(k.Sigma) || !isFinite(k.L.L11) || !isFinite(k.L.L21) || !isFinite(k.L.L22) ||
					!isFinite(li11) || !isFinite(li12) || !isFinite(li22) || !isFinite(k.Ell()) || !(k.Ell() > 0) {
					t.Errorf("%s %v B = %g: non-finite kernel %+v (L⁻ᵀ %v %v %v, ℓ %v)", c.name, o, B, k, li11, li12, li22, k.Ell())
					fails++
					continue
				}
				phi, sigma, sinf := bigFlow(p.A, p.D, p.InitialCov(o), B, order)
				sigma.XX += p.NumericalEps // Kernel adds it, the reference does not
				sigma.VV += p.NumericalEps
				if order == 1 {
					phi, sigma, sinf = Mat2{XX: phi.XX}, Sym2{XX: sigma.XX}, Sym2{XX: sinf.XX}
					k.Phi = Mat2{XX: k.Phi.XX}
				}
				if !matClose(k.Phi, phi, expmTol(B, p.A)) {
					t.Errorf("%s B = %g: Φ = %+v, reference %+v", c.name, B, k.Phi, phi)
					fails++
				}
				if !symClose(k.Sigma, sigma, 1e-11, order) {
					t.Errorf("%s %v B = %g: Σ = %+v, reference %+v", c.name, o, B, k.Sigma, sigma)
					fails++
				}
				sinf.XX += p.NumericalEps
				sinf.VV += p.NumericalEps
				if B >= 1e4 {
					if m := math.Max(math.Max(math.Abs(k.Phi.XX), math.Abs(k.Phi.XV)), math.Max(math.Abs(k.Phi.VX), math.Abs(k.Phi.VV))); m > 1e-12 {
						t.Errorf("%s B = %g: max |Φ| = %g, want → 0", c.name, B, m)
						fails++
					}
					if !symClose(k.Sigma, sinf, 1e-12, order) {
						t.Errorf("%s %v B = %g: Σ = %+v, want Σ∞ = %+v", c.name, o, B, k.Sigma, sinf)
						fails++
					}
				}
				// The transition between two times: Φ(t₀ → t₁) over the same ∫β.
				if got := p.Propagator(0.25, 0.75); !finiteMat(got) {
					t.Errorf("%s B = %g: propagator %+v", c.name, B, got)
					fails++
				}
			}
			if fails > 10 {
				t.Fatalf("%s: too many failures", c.name)
			}
		}
		if !symClose(p.Stationary, bigStationary(p.A, p.D, order).float(), 1e-14, order) {
			t.Errorf("%s: Stationary %+v is not the solution of the Lyapunov equation %+v", c.name, p.Stationary, bigStationary(p.A, p.D, order).float())
		}
	}
}

// The SSCS A-half-step (exact flow of A_S = −A − DΣ∞⁻¹ from Σ₀ = 0) for
// integrated β from 1e-12 to 1e6.
func TestSplitStepAtExtremeIntegratedBeta(t *testing.T) {
	t.Parallel()
	for _, c := range overflowCases(t) {
		p := *c.p
		order := p.Order()
		as := p.SplitMatrix()
		for _, h := range logGrid() {
			phi, s := p.SplitStep(h)
			if !finiteMat(phi) || !finiteSym(s) {
				t.Errorf("%s h = %g: split step Φ %+v Σ %+v", c.name, h, phi, s)
				continue
			}
			if _, err := Cholesky(s, order); err != nil {
				t.Errorf("%s h = %g: %v", c.name, h, err)
			}
			wphi, ws, wsinf := bigFlow(as, p.D, Sym2{}, h, order)
			ws.XX += p.NumericalEps // SplitStep adds it, the reference does not
			ws.VV += p.NumericalEps
			wsinf.XX += p.NumericalEps
			wsinf.VV += p.NumericalEps
			if order == 1 {
				phi, wphi = Mat2{XX: phi.XX}, Mat2{XX: wphi.XX}
			}
			if !matClose(phi, wphi, expmTol(h, as)) || !symClose(s, ws, 1e-11, order) {
				t.Errorf("%s h = %g: split step Φ %+v Σ %+v, reference %+v %+v", c.name, h, phi, s, wphi, ws)
			}
			if h >= 1e4 && !symClose(s, wsinf, 1e-12, order) {
				t.Errorf("%s h = %g: split-step Σ %+v, want Σ∞ = %+v", c.name, h, s, wsinf)
			}
		}
	}
}

// Expm over all regimes and both signs of s, including matrices with
// widely separated eigenvalues, against the 512-bit reference.
func TestExpmAtExtremeArguments(t *testing.T) {
	t.Parallel()
	for _, a := range []Mat2{
		{0, 4, -1, -4},          // critical (CLD)
		{-0.5, 0.3, -0.2, -2},   // over-damped
		{-0.1, 1, -1, -0.1},     // under-damped
		{-0.5, 0, 0, 0},         // VP
		{-1e-3, 1, 1e-4, -50},   // stiff, over-damped
		{-3, 1e-8, 1e-8, -3.01}, // nearly diagonal
		{-1, 1e-9, 0, -1},       // nearly degenerate
		{-0.5, 2, 0, -3},        // triangular, over-damped
		{-3, 0, 2, -0.5},        // triangular, over-damped
	} {
		for _, s := range logGrid() {
			got := Expm(s, a)
			if !finiteMat(got) || !matClose(got, bigExpm(s, a).float(), expmTol(s, a)) {
				t.Errorf("Expm(%g, %+v) = %+v, reference %+v", s, a, got, bigExpm(s, a).float())
			}
			if s > 100 {
				continue // exp(−sA) overflows: nothing to check
			}
			got = Expm(-s, a)
			want := bigExpm(-s, a).float()
			if !finiteMat(want) {
				continue // exp(−sA) is not representable
			}
			if !finiteMat(got) || !matClose(got, want, expmTol(s, a)) {
				t.Errorf("Expm(%g, %+v) = %+v, reference %+v", -s, a, got, want)
			}
		}
	}
}

// The papers' closed forms are finite for all B, accurate at small B (to the
// 512-bit reference) and equal to the papers' own expressions where those are
// accurate (moderate B).
func TestClosedFormsAtExtremeIntegratedBeta(t *testing.T) {
	t.Parallel()
	inits := []Sym2{{}, {VV: 0.01}, {XX: 0.3, VV: 0.02}}
	check := func(name string, a Mat2, d Sym2, B float64, s0 Sym2, got Sym2, mean Mat2, paper func() Sym2) {
		t.Helper()
		if !finiteSym(got) || !finiteMat(mean) {
			t.Errorf("%s B = %g Σ₀ = %+v: %+v, mean %+v", name, B, s0, got, mean)
			return
		}
		phi, want, _ := bigFlow(a, d, s0, B, 2)
		if !symClose(got, want, 1e-11, 2) || !matClose(mean, phi, expmTol(B, a)) {
			t.Errorf("%s B = %g Σ₀ = %+v: %+v mean %+v, reference %+v mean %+v", name, B, s0, got, mean, want, phi)
		}
		if B >= 0.05 && B <= 20 {
			closeSym(t, name+" vs paper", got, paper(), 1e-12)
		}
	}
	for _, minv := range []float64{4, 0.25, 100} {
		g := 2 / math.Sqrt(minv)
		a := Mat2{XV: 4 / (g * g), VX: -1, VV: -4 / g}
		d := Sym2{VV: 2 * g}
		for _, B := range logGrid() {
			for _, s0 := range inits {
				check("CLDCovariance", a, d, B, s0, CLDCovariance(B, g, s0.XX, s0.VV), CLDMean(B, g),
					func() Sym2 { return paperCLDCovariance(B, g, s0.XX, s0.VV) })
			}
		}
	}
	for _, gn := range [][2]float64{{0.01, 4.01}, {0, 4}, {1.5, 0.2}} {
		g, nu := gn[0], gn[1]
		minv := (g - nu) * (g - nu) / 4
		a := Mat2{XX: -g / 2, XV: minv / 2, VX: -0.5, VV: -nu / 2}
		d := Sym2{XX: g, VV: nu / minv}
		for _, B := range logGrid() {
			for _, s0 := range inits {
				check("PSLDCovariance", a, d, B, s0, PSLDCovariance(B, g, nu, s0.XX, s0.VV), PSLDMean(B, g, nu),
					func() Sym2 { return paperPSLDCovariance(B, g, nu, s0.XX, s0.VV) })
			}
		}
	}
}

// paperCLDCovariance is the CLD paper's expression as printed (Dockhorn et
// al. 2022, App. B.1), E = e^{−4B/Γ}: accurate for moderate B only.
func paperCLDCovariance(B, g, s0xx, s0vv float64) Sym2 {
	e := math.Exp(-4 * B / g)
	xx := e * (s0xx + 1/e - 1 + 4*B/g*(s0xx-1) + 4*B*B/(g*g)*(s0xx-2) + 16*B*B/(g*g*g*g)*s0vv)
	xv := e * (-B*s0xx + 4*B/(g*g)*s0vv - 2*B*B/g*(s0xx-2) - 8*B*B/(g*g*g)*s0vv)
	vv := e * (g*g/4*(1/e-1) + g*B + s0vv*(1-4*B/g+4*B*B/(g*g)) + B*B*(s0xx-2))
	return Sym2{xx, xv, vv}
}

// paperPSLDCovariance is the PSLD paper's expression as printed (Pandey &
// Mandt 2023, App. A): accurate for moderate b only.
func paperPSLDCovariance(b, gamma, nu, s0xx, s0mm float64) Sym2 {
	minv := (gamma - nu) * (gamma - nu) / 4
	m := 1 / minv
	e := math.Exp(-(gamma + nu) * b / 2)
	xx := e * (minv/4*b*b*s0xx + minv*minv/4*b*b*s0mm + (nu-gamma)/2*b*s0xx - minv/2*b*b + (gamma-nu)/2*b + (1/e - 1) + s0xx)
	xm := e * ((gamma-nu)/8*b*b*s0xx + minv*(gamma-nu)/8*b*b*s0mm - b/2*s0xx + minv/2*b*s0mm + (nu-gamma)/4*b*b)
	mm := e * (b*b/4*s0xx + minv/4*b*b*s0mm + (gamma-nu)/2*b*s0mm - b*b/2 + m*(nu-gamma)/2*b + m*(1/e-1) + s0mm)
	return Sym2{xx, xm, mm}
}

// A VP schedule whose ∫β reaches 4000 (β_max = 8000): every kernel on a
// fine time grid, every training target −L⁻ᵀε and every SSCS half-step of a
// 1000-step grid is finite, and the kernel variance is the closed form
// 1 − e^{−B(t)} (VP, DSM, no eps).
func TestVPScheduleWithLargeIntegratedBetaStaysFinite(t *testing.T) {
	t.Parallel()
	p, err := NewVP(VPConfig{BetaMin: 0.1, BetaMax: 8000})
	if err != nil {
		t.Fatal(err)
	}
	if B := p.Schedule.Integral(1); B < 3999 {
		t.Fatalf("∫β = %v, want about 4000", B)
	}
	const n = 1000
	for i := 1; i <= n; i++ {
		tt := float64(i) / n
		B := p.Schedule.Integral(tt)
		for _, o := range []Objective{HSM, DSM} {
			k, err := p.Kernel(tt, o)
			if err != nil {
				t.Fatalf("t = %v (∫β = %v): %v", tt, B, err)
			}
			x, _ := k.Perturb(0.7, 0, 0.3, 0)
			li11, _, _ := k.L.InvT()
			if !isFinite(x) || !isFinite(-li11*0.3) || !isFinite(k.Ell()) {
				t.Fatalf("t = %v (∫β = %v): u_t = %v, target %v, ℓ = %v", tt, B, x, -li11*0.3, k.Ell())
			}
			relClose(t, "VP Σ(t)", k.Sigma.XX, -math.Expm1(-B), 1e-13)
			if want := math.Exp(-B / 2); math.Abs(k.Phi.XX-want) > 1e-15*want+1e-300 {
				t.Fatalf("t = %v: Φ = %v, want e^{−B/2} = %v", tt, k.Phi.XX, want)
			}
		}
		// SSCS half-steps over [t − 1/n, t]: A_S = −½, so Φ = e^{−h/2} and Σ = 1 − e^{−h}.
		tm := tt - 0.5/n
		for _, h := range []float64{p.Schedule.Between(tm, tt), p.Schedule.Between(tt-1.0/n, tm), p.Schedule.Between(0, tt)} {
			phi, s := p.SplitStep(h)
			l, err := Cholesky(s, 1)
			if err != nil || !isFinite(phi.XX) || !isFinite(l.L11) {
				t.Fatalf("t = %v: half-step ∫β = %v: Φ %v Σ %v, %v", tt, h, phi.XX, s.XX, err)
			}
			relClose(t, "VP half-step Φ", phi.XX, math.Exp(-h/2), 1e-14)
			relClose(t, "VP half-step Σ", s.XX, -math.Expm1(-h), 1e-13)
		}
	}
}

// Errors name the real cause: a non-finite covariance is not blamed on
// numerical-eps, a singular one is; schedules name the parameter.
func TestErrorsNameTheCause(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s     Sym2
		order int
	}{
		{Sym2{XX: math.NaN()}, 1},
		{Sym2{XX: math.Inf(1)}, 1},
		{Sym2{XX: 1, XV: math.NaN(), VV: 1}, 2},
		{Sym2{XX: 1, XV: 0, VV: math.Inf(1)}, 2},
		{Sym2{XX: math.NaN(), VV: 1}, 2},
	} {
		_, err := Cholesky(c.s, c.order)
		if err == nil {
			t.Errorf("Cholesky(%+v) accepted", c.s)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "sde: covariance") || !strings.Contains(msg, "not finite") || strings.Contains(msg, "increase NumericalEps") {
			t.Errorf("Cholesky(%+v): %q, want a non-finite error that does not advise NumericalEps", c.s, msg)
		}
	}
	for _, s := range []Sym2{{XX: 0, VV: 1}, {XX: -1e-20, VV: 1}, {XX: 1, XV: 1, VV: 1}} {
		if _, err := Cholesky(s, 2); err == nil || !strings.Contains(err.Error(), "increase NumericalEps") {
			t.Errorf("Cholesky(%+v): %v, want the singular-kernel advice", s, err)
		}
	}
	p := mustCLD(t, CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04})
	if _, err := p.Kernel(0, DSM); err == nil || !strings.HasPrefix(err.Error(), "sde: cld kernel at t = 0 (∫β = 0): covariance") || !strings.Contains(err.Error(), "increase NumericalEps") {
		t.Errorf("DSM kernel at t = 0: %v", err)
	}
	for _, c := range []struct {
		s    Schedule
		want string
	}{
		{Schedule{Beta0: math.NaN()}, "Beta0"},
		{Schedule{Beta0: math.Inf(1)}, "Beta0"},
		{Schedule{Beta0: 1, Beta1: math.NaN()}, "Beta1"},
		{Schedule{Beta0: 1, Beta1: math.Inf(-1)}, "Beta1"},
		{Schedule{Beta0: 0, Beta1: 1}, "Beta0"},
		{Schedule{Beta0: 1, Beta1: -2}, "β(T)"},
		{Schedule{Beta0: 1.5e308, Beta1: 1.5e308}, "overflows"},
	} {
		err := c.s.Validate(1)
		if err == nil || !strings.HasPrefix(err.Error(), "sde: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want an sde: error naming %q", c.s, err, c.want)
		}
		if _, err := NewVP(VPConfig{BetaMin: c.s.Beta0, BetaMax: c.s.Beta0 + c.s.Beta1}); err == nil || !strings.HasPrefix(err.Error(), "sde: vp: ") || strings.Count(err.Error(), "sde: ") != 1 {
			t.Errorf("NewVP(schedule %+v): %v, want one sde: vp: error", c.s, err)
		}
	}
	if err := (Schedule{Beta0: 1e6, Beta1: 1e6}).Validate(1); err != nil {
		t.Errorf("large but representable schedule rejected: %v", err)
	}
}
