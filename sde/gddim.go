package sde

import (
	"errors"
	"fmt"
	"math"
)

// RFactor is gDDIM's square root R_t of the perturbation-kernel covariance
// Σ_t (Zhang, Tao & Chen, "gDDIM: Generalized denoising diffusion implicit
// models", ICLR 2023: the R_t of its score parameterisation K_t = R_t),
// tabulated for one process and objective. The derivation below is ours and
// is given in docs/samplers.md.
// With F = β(t)A and GGᵀ = β(t)D, R solves
//
//	dR/dt = F R + ½ G Gᵀ R⁻ᵀ,   R Rᵀ = Σ_t,
//
// so that, per unit B(t) = ∫₀ᵗβ, dR/dB = (A + ½ D Σ⁻¹) R. Differentiating
// R Rᵀ gives A Σ + Σ Aᵀ + D, the Lyapunov ODE of Σ, so the ODE preserves
// R Rᵀ = Σ and fixes R up to a constant orthogonal factor on the right. The
// score of the kernel is then −R⁻ᵀε with ε constant along the
// probability-flow ODE for data that is a single point, which makes a
// first-order exponential-integrator step exact there.
//
// Parameterisation. Write R = L·Q(θ) with L the lower Cholesky factor of Σ
// and Q(θ) = [[cos θ, −sin θ], [sin θ, cos θ]]. Then L⁻¹dL/dB + θ'·J =
// L⁻¹(A + ½DΣ⁻¹)L with L⁻¹dL lower triangular and J = [[0, −1], [1, 0]], so
// the (1,2) entry gives the scalar ODE (see docs/samplers.md)
//
//	dθ/dB = −(L22/L11)·(A + ½DΣ⁻¹)₁₂
//	      = (−A_xv·det Σ + ½(D_xx Σ_xv − D_xv Σ_xx)) / (Σ_xx √det Σ).
//
// Initial condition (the convention of this package). Both objectives have a
// singular Σ₀ (HSM: diag(0, γM); DSM: 0), so R is fixed by a limit at B → 0:
//
//	θ(B) = c·ln B + ∫₀ᴮ (dθ/db − c/b) db,   c = lim_{b→0} b·dθ/db,
//
// i.e. the limit B₀ → 0 of the R-flow started at B₀ from L(B₀)·Q(c·ln B₀).
// For HSM (all processes), PSLD DSM and VP, c = 0 and the integral converges
// (dθ/dB ~ B^{−1/2} for HSM), so this is exactly the limit of the flow
// started from the Cholesky factor, R → L as B → 0. For CLD DSM (D_xx = 0,
// Σ₀ = 0) the Cholesky-started flow does not converge: dθ/dB ~ −(√3/2)/B,
// because Σ ≈ D_vv·diag(A_xv²B³/3, B) with correlation √3/2 rotates the
// Cholesky frame logarithmically; then c = −sign(A_xv)·√3/2 and the log
// term is subtracted as written. For VP (order 1) R = L = σ_t, θ = 0.
//
// Solution. θ is tabulated at construction on a uniform grid in
// s = ln B + B (logarithmic near the data, linear at large B) from
// B = 1e-7 to B(T), the increments integrated by 20-point Gauss–Legendre
// quadrature in s, the part below 1e-7 by the same rule in w = √B (where the
// integrand is bounded); between nodes θ is the cubic Hermite interpolant
// with the exact derivative, below 1e-7 it is evaluated by the quadrature in
// w. Σ is computed without the Schur-complement cancellation of
// Cholesky near B = 0: det Σ = det(ΦΣ₀Φᵀ) + det N + cross terms, with N the
// noise integral (see covDet). R R ᵀ = Σ holds to rounding for any θ; the
// table agrees with the per-call quadrature to 1e-11 and R with an
// independent RK4 solution of the matrix ODE to 1e-9 relative (tests).
//
// An RFactor is immutable and safe for concurrent use. Building one costs
// about 10⁵ evaluations of Σ (milliseconds); At, AtB and Angle cost one
// evaluation of Σ or less.
type RFactor struct {
	p     *Process
	o     Objective
	c     float64 // log coefficient of θ at B → 0
	sig0  Sym2    // Σ₀
	bMax  float64 // B(T)
	s0, h float64 // grid in s = ln B + B: s_i = s0 + i·h
	theta []float64
	dth   []float64 // dθ/ds at the nodes
}

// rTableLow is the smallest B of the table; below it θ is integrated per call.
const rTableLow = 1e-7

// rTableStep is the largest spacing of the table in s = ln B + B.
const rTableStep = 0.02

// NewRFactor tabulates gDDIM's R_t for p and objective o on B ∈ [0, B(T)]
// (see RFactor). It returns an error for an unknown objective.
func (p *Process) NewRFactor(o Objective) (*RFactor, error) {
	if o != HSM && o != DSM {
		return nil, fmt.Errorf("sde: objective %v, want HSM or DSM", o)
	}
	f := &RFactor{p: p, o: o, sig0: p.InitialCov(o), bMax: p.Schedule.Integral(p.T)}
	if p.Order() == 1 {
		return f, nil
	}
	if f.sig0 == (Sym2{}) && p.D.XX == 0 && p.D.XV == 0 && p.A.XV != 0 {
		f.c = -math.Copysign(math.Sqrt(3)/2, p.A.XV)
	}
	sLo, sHi := rGridS(rTableLow), rGridS(f.bMax)
	if !(sHi > sLo) {
		return nil, fmt.Errorf("sde: B(T) = %v, want > %v for the R table", f.bMax, rTableLow)
	}
	n := int(math.Ceil((sHi - sLo) / rTableStep))
	f.s0, f.h = sLo, (sHi-sLo)/float64(n)
	f.theta = make([]float64, n+1)
	f.dth = make([]float64, n+1)
	f.theta[0] = f.tail(rTableLow)
	f.dth[0] = f.rateS(rTableLow)
	for i := 1; i <= n; i++ {
		a, b := f.s0+float64(i-1)*f.h, f.s0+float64(i)*f.h
		acc := 0.0
		for j, x := range glNodes {
			s := a + (b-a)*(1+x)/2
			acc += glWeights[j] * f.rateS(rGridB(s))
		}
		f.theta[i] = f.theta[i-1] + acc*(b-a)/2
		f.dth[i] = f.rateS(rGridB(b))
	}
	return f, nil
}

// rGridS maps B to the table variable s = ln B + B.
func rGridS(b float64) float64 { return math.Log(b) + b }

// rGridB inverts rGridS by Newton's method in y = ln B.
func rGridB(s float64) float64 {
	y := s
	if s > 1 {
		y = math.Log(s)
	}
	for range 60 {
		e := math.Exp(y)
		dy := (y + e - s) / (1 + e)
		y -= dy
		if math.Abs(dy) < 1e-15*(1+math.Abs(y)) {
			break
		}
	}
	return math.Exp(y)
}

// rateS returns dθ/ds = dθ/dB · B/(1+B).
func (f *RFactor) rateS(b float64) float64 { return f.AngleRate(b) * b / (1 + b) }

// tail returns θ(b) = c·ln b + ∫₀^{√b} (2w·θ'(w²) − 2c/w) dw by 20-point
// Gauss–Legendre quadrature in w.
func (f *RFactor) tail(b float64) float64 {
	hw := math.Sqrt(b) / 2
	acc := 0.0
	for j, x := range glNodes {
		w := hw * (1 + x)
		acc += glWeights[j] * (2*w*f.AngleRate(w*w) - 2*f.c/w)
	}
	return f.c*math.Log(b) + acc*hw
}

// Objective returns the objective whose Σ₀ the factor uses.
func (f *RFactor) Objective() Objective { return f.o }

// LogCoefficient returns c = lim_{B→0} B·dθ/dB: −sign(A_xv)·√3/2 for CLD
// under DSM, 0 otherwise (see RFactor).
func (f *RFactor) LogCoefficient() float64 { return f.c }

// MaxB returns B(T), the end of the table.
func (f *RFactor) MaxB() float64 { return f.bMax }

// covDet returns Σ(B) for the factor's Σ₀ (no numerical epsilon) and its
// determinant, computed as det(P + N) = det P + det N + P_xx N_vv +
// P_vv N_xx − 2 P_xv N_xv with P = ΦΣ₀Φᵀ and N the noise integral, which
// avoids the cancellation of Σ_xx Σ_vv − Σ_xv² as B → 0.
func (f *RFactor) covDet(b float64) (Sym2, float64) {
	phi, n := gaussianFlow(f.p.A, f.p.D, f.p.Stationary, Sym2{}, b)
	pm := phi.Sandwich(f.sig0)
	dphi := phi.XX*phi.VV - phi.XV*phi.VX
	det := dphi*dphi*f.sig0.Det() + n.Det() + pm.XX*n.VV + pm.VV*n.XX - 2*pm.XV*n.XV
	return pm.Add(n), det
}

// AngleRate returns dθ/dB at B = b > 0 (see RFactor), computed from Σ(b).
func (f *RFactor) AngleRate(b float64) float64 {
	if f.p.Order() == 1 {
		return 0
	}
	s, det := f.covDet(b)
	a, d := f.p.A, f.p.D
	return (-a.XV*det + 0.5*(d.XX*s.XV-d.XV*s.XX)) / (s.XX * math.Sqrt(det))
}

// Angle returns θ(B) for 0 < b ≤ B(T) (b = 0 gives 0, or −c·∞ for CLD DSM).
// It panics for b outside [0, B(T)] (up to a relative 1e-12).
func (f *RFactor) Angle(b float64) float64 {
	if !(b >= 0 && b <= f.bMax*(1+1e-12)) {
		panic(fmt.Sprintf("sde: RFactor.Angle(%v) outside [0, %v]", b, f.bMax))
	}
	if f.p.Order() == 1 {
		return 0
	}
	if b == 0 {
		if f.c == 0 {
			return 0
		}
		return math.Copysign(math.Inf(1), -f.c)
	}
	if b < rTableLow {
		return f.tail(b)
	}
	u := (rGridS(b) - f.s0) / f.h
	i := int(u)
	if i >= len(f.theta)-1 {
		i = len(f.theta) - 2
	}
	if i < 0 {
		i = 0
	}
	r := u - float64(i)
	// Cubic Hermite basis on [0, 1] with derivatives scaled by h.
	r2, r3 := r*r, r*r*r
	h00 := 2*r3 - 3*r2 + 1
	h10 := r3 - 2*r2 + r
	h01 := -2*r3 + 3*r2
	h11 := r3 - r2
	return h00*f.theta[i] + h10*f.h*f.dth[i] + h01*f.theta[i+1] + h11*f.h*f.dth[i+1]
}

// AtB returns R at integrated β b ∈ (0, B(T)] for the exact covariance (no
// numerical epsilon), as a Mat2 acting on (εˣ, εᵛ) (order 1: only XX, σ).
// It returns an error when b is outside (0, B(T)].
func (f *RFactor) AtB(b float64) (Mat2, error) {
	if !(b > 0 && b <= f.bMax*(1+1e-12)) {
		return Mat2{}, fmt.Errorf("sde: R factor at B = %v, want 0 < B <= B(T) = %v", b, f.bMax)
	}
	s, det := f.covDet(b)
	if f.p.Order() == 1 {
		return Mat2{XX: math.Sqrt(s.XX)}, nil
	}
	l := Chol2{L11: math.Sqrt(s.XX), L21: s.XV / math.Sqrt(s.XX), L22: math.Sqrt(det / s.XX)}
	return l.Mat().Mul(Rotation(f.Angle(b))), nil
}

// At returns R_t at forward time t ∈ (0, T] (see AtB).
func (f *RFactor) At(t float64) (Mat2, error) {
	if !(t > 0 && t <= f.p.T) {
		return Mat2{}, fmt.Errorf("sde: R factor at t = %v, want 0 < t <= %v", t, f.p.T)
	}
	return f.AtB(f.p.Schedule.Integral(t))
}

// Kernel returns the perturbation kernel at t (with NumericalEps, as
// Process.Kernel) and the matching gDDIM factor R = L·Q(θ(B(t))), where L
// is the kernel's Cholesky factor: R Rᵀ = Kernel.Sigma, and u = μ + R ε
// with ε ~ N(0, I) has the kernel's law. The conditional score is −R⁻ᵀε.
// With NumericalEps = 0 it is At(t).
func (f *RFactor) Kernel(t float64) (Kernel, Mat2, error) {
	k, err := f.p.Kernel(t, f.o)
	if err != nil {
		return Kernel{}, Mat2{}, err
	}
	if k.Order == 1 {
		return k, Mat2{XX: k.L.L11}, nil
	}
	if t == 0 {
		return Kernel{}, Mat2{}, errors.New("sde: R factor at t = 0 is undefined")
	}
	return k, k.L.Mat().Mul(Rotation(f.Angle(f.p.Schedule.Integral(t)))), nil
}

// Rotation returns Q(θ) = [[cos θ, −sin θ], [sin θ, cos θ]].
func Rotation(theta float64) Mat2 {
	s, c := math.Sincos(theta)
	return Mat2{XX: c, XV: -s, VX: s, VV: c}
}

// Mat returns the Cholesky factor as a Mat2 [[L11, 0], [L21, L22]].
func (c Chol2) Mat() Mat2 { return Mat2{XX: c.L11, VX: c.L21, VV: c.L22} }

// T returns mᵀ.
func (m Mat2) T() Mat2 { return Mat2{XX: m.XX, XV: m.VX, VX: m.XV, VV: m.VV} }

// Det returns the determinant of m.
func (m Mat2) Det() float64 { return m.XX*m.VV - m.XV*m.VX }

// Inv returns m⁻¹ (Inf or NaN entries when m is singular). An order-1
// matrix Mat2{XX: a} is inverted as Mat2{XX: 1/a}.
func (m Mat2) Inv() Mat2 {
	if m.XV == 0 && m.VX == 0 && m.VV == 0 {
		return Mat2{XX: 1 / m.XX}
	}
	d := m.Det()
	return Mat2{XX: m.VV / d, XV: -m.XV / d, VX: -m.VX / d, VV: m.XX / d}
}

// Add returns m + n.
func (m Mat2) Add(n Mat2) Mat2 { return Mat2{m.XX + n.XX, m.XV + n.XV, m.VX + n.VX, m.VV + n.VV} }

// Sub returns m − n.
func (m Mat2) Sub(n Mat2) Mat2 { return Mat2{m.XX - n.XX, m.XV - n.XV, m.VX - n.VX, m.VV - n.VV} }
