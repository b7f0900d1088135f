package sde

import "gonum.org/v1/gonum/integrate/quad"

// gaussianFlow returns the mean propagator Φ = exp(b·A) and the covariance
// Φ Σ₀ Φᵀ + ∫₀ᵇ e^{rA} D e^{rAᵀ} dr of the linear flow du/db = A u + noise
// with dW-covariance D per unit b, started from covariance Σ₀.
//
// sinf must solve A Σ∞ + Σ∞ Aᵀ + D = 0; it is used (Lyapunov form
// Σ∞ + Φ(Σ₀ − Σ∞)Φᵀ) when b·ρ(A) is large enough that no cancellation
// occurs. For small b the integral is evaluated by 20-point Gauss–Legendre
// quadrature, exact to rounding there, which keeps full relative precision as
// b → 0 where the Lyapunov form loses about 1e-16/Σˣˣ.
func gaussianFlow(a Mat2, d, sinf, sigma0 Sym2, b float64) (Mat2, Sym2) {
	phi := Expm(b, a)
	if b*SpectralRadius(a) > quadratureLimit {
		return phi, sinf.Add(phi.Sandwich(sigma0.Sub(sinf)))
	}
	var acc Sym2
	half := b / 2
	for i, x := range glNodes {
		r := half * (1 + x)
		acc = acc.Add(Expm(r, a).Sandwich(d).Scale(glWeights[i]))
	}
	return phi, phi.Sandwich(sigma0).Add(acc.Scale(half))
}

// quadratureLimit is the largest b·ρ(A) for which the quadrature is used.
// 20-point Gauss–Legendre integrates e^{λr}·poly(r) to rounding on intervals
// with |λ|·b up to a few units; above 1 the Lyapunov form's cancellation is
// already negligible (relative error ≲ 1e-15).
const quadratureLimit = 1.0

// glNodes and glWeights are the 20-point Gauss–Legendre rule on [−1, 1],
// from gonum's quad.Legendre.
var glNodes, glWeights = func() ([]float64, []float64) {
	x, w := make([]float64, 20), make([]float64, 20)
	quad.Legendre{}.FixedLocations(x, w, -1, 1)
	return x, w
}()
