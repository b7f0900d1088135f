package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Chol2 is the lower Cholesky factor L = [[L11, 0], [L21, L22]] of a 2×2
// covariance (for order-1 processes only L11 is used).
type Chol2 struct{ L11, L21, L22 float64 }

// Cholesky factors s = L Lᵀ. It returns an error naming the offending entry
// and its cause (for order 1, only s.XX is used):
//   - an entry that is NaN or ±Inf: a non-finite input or an overflow
//     upstream, which NumericalEps cannot repair;
//   - a finite pivot that is not positive (Σˣˣ ≤ 0, or the Schur complement
//     Σᵛᵛ − (Σˣᵛ)²/Σˣˣ ≤ 0): a covariance that is singular to rounding, as
//     the exact kernel is at t → 0 (the remedy is a larger NumericalEps or
//     smallest time).
//
// The error starts with "sde: ".
func Cholesky(s Sym2, order int) (Chol2, error) {
	l, err := cholesky(s, order)
	if err != nil {
		return Chol2{}, fmt.Errorf("sde: %w", err)
	}
	return l, nil
}

// cholesky is Cholesky with errors for the caller to prefix.
func cholesky(s Sym2, order int) (Chol2, error) {
	if !isFinite(s.XX) || (order == 2 && (!isFinite(s.XV) || !isFinite(s.VV))) {
		return Chol2{}, fmt.Errorf("covariance %s is not finite: a non-finite parameter or an overflow before the factorisation (NumericalEps cannot fix this)", symString(s, order))
	}
	if !(s.XX > 0) {
		return Chol2{}, fmt.Errorf("covariance Σˣˣ = %v is not positive: the kernel is singular to rounding (as at t → 0); increase NumericalEps or the smallest time", s.XX)
	}
	l11 := math.Sqrt(s.XX)
	if order == 1 {
		return Chol2{L11: l11}, nil
	}
	l21 := s.XV / l11
	r := s.VV - l21*l21
	if !(r > 0) || !isFinite(l21) || !isFinite(r) {
		return Chol2{}, fmt.Errorf("covariance Schur complement Σᵛᵛ − (Σˣᵛ)²/Σˣˣ = %v is not positive (Σ = %s): the kernel is singular to rounding (as at t → 0); increase NumericalEps or the smallest time", r, symString(s, order))
	}
	return Chol2{L11: l11, L21: l21, L22: math.Sqrt(r)}, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func symString(s Sym2, order int) string {
	if order == 1 {
		return fmt.Sprintf("Σˣˣ = %v", s.XX)
	}
	return fmt.Sprintf("(Σˣˣ, Σˣᵛ, Σᵛᵛ) = (%v, %v, %v)", s.XX, s.XV, s.VV)
}

// InvT returns the entries of L⁻ᵀ = [[li11, li12], [0, li22]] for order 2
// (li12 = li22 = 0 for order 1): the conditional score is
// ∇ log p(u|·) = −L⁻ᵀ ε for u = μ + L ε.
func (c Chol2) InvT() (li11, li12, li22 float64) {
	if c.L22 == 0 {
		return 1 / c.L11, 0, 0
	}
	return 1 / c.L11, -c.L21 / (c.L11 * c.L22), 1 / c.L22
}

// Kernel is the Gaussian perturbation kernel p(u_t | u₀) at one time, per
// coordinate: mean Φ·u₀ and covariance Sigma = L Lᵀ.
type Kernel struct {
	T         float64
	Order     int
	Phi       Mat2
	Sigma     Sym2 // includes NumericalEps on the diagonal
	L         Chol2
	Objective Objective
}

// Kernel returns the perturbation kernel at time t ∈ [0, T] for objective o
// (its initial covariance), with NumericalEps added to Σˣˣ and Σᵛᵛ.
func (p *Process) Kernel(t float64, o Objective) (Kernel, error) {
	if !(t >= 0 && t <= p.T) {
		return Kernel{}, fmt.Errorf("sde: %v kernel: time t = %v outside [0, %v]", p.Kind, t, p.T)
	}
	b := p.Schedule.Integral(t)
	phi, s := gaussianFlow(p.A, p.D, p.Stationary, p.InitialCov(o), b)
	s.XX += p.NumericalEps
	if p.Order() == 2 {
		s.VV += p.NumericalEps
	} else {
		s.XV, s.VV = 0, 0
	}
	l, err := cholesky(s, p.Order())
	if err != nil {
		return Kernel{}, fmt.Errorf("sde: %v kernel at t = %v (∫β = %v): %w", p.Kind, t, b, err)
	}
	return Kernel{T: t, Order: p.Order(), Phi: phi, Sigma: s, L: l, Objective: o}, nil
}

// MustKernel is Kernel for arguments known to be valid; it panics otherwise.
func (p *Process) MustKernel(t float64, o Objective) Kernel {
	k, err := p.Kernel(t, o)
	if err != nil {
		panic(err)
	}
	return k
}

// Ell returns ℓ_t: 1/L22 for order 2 (the magnitude of the v-score per unit
// noise, CLD's ℓ_t and PSLD's li22), 1/σ_t = 1/L11 for order 1.
func (k Kernel) Ell() float64 {
	if k.Order == 1 {
		return 1 / k.L.L11
	}
	return 1 / k.L.L22
}

// Perturb returns u_t = Φ(x₀, v₀) + L(εˣ, εᵛ) for one coordinate.
func (k Kernel) Perturb(x0, v0, ex, ev float64) (float64, float64) {
	mx, mv := k.Phi.Apply(x0, v0)
	if k.Order == 1 {
		return mx + k.L.L11*ex, 0
	}
	return mx + k.L.L11*ex, mv + k.L.L21*ex + k.L.L22*ev
}

// PriorSample fills x (and v for order 2) with draws from the stationary law
// N(0, 1) ⊗ N(0, M).
func (p *Process) PriorSample(r *rand.Rand, x, v []float64) {
	for i := range x {
		x[i] = r.NormFloat64()
	}
	if p.Order() == 2 {
		sm := math.Sqrt(p.Stationary.VV)
		for i := range v {
			v[i] = sm * r.NormFloat64()
		}
	}
}

// PriorLogProb returns log N(x; 0, I) + log N(v; 0, M I) (v ignored for VP).
func (p *Process) PriorLogProb(x, v []float64) float64 {
	s := 0.0
	for _, xi := range x {
		s -= 0.5 * (xi*xi + ln2Pi)
	}
	if p.Order() == 2 {
		m := p.Stationary.VV
		for _, vi := range v {
			s -= 0.5 * (vi*vi/m + ln2Pi + math.Log(m))
		}
	}
	return s
}

// PriorScore writes ∇ log of the stationary law, −(x, v/M), into sx, sv.
func (p *Process) PriorScore(x, v, sx, sv []float64) {
	for i := range x {
		sx[i] = -x[i]
	}
	if p.Order() == 2 {
		for i := range v {
			sv[i] = -v[i] / p.Stationary.VV
		}
	}
}

var ln2Pi = math.Log(2 * math.Pi)
