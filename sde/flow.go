package sde

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

// 20-point Gauss–Legendre nodes (positive half) and weights on [−1, 1].
var glNodes, glWeights = func() ([]float64, []float64) {
	x := []float64{
		0.0765265211334973337546404, 0.2277858511416450780804962,
		0.3737060887154195606725482, 0.5108670019508270980043641,
		0.6360536807265150254528367, 0.7463319064601507926143051,
		0.8391169718222188233945291, 0.9122344282513259058677524,
		0.9639719272779137912676661, 0.9931285991850949247861224,
	}
	w := []float64{
		0.1527533871307258506980843, 0.1491729864726037467878287,
		0.1420961093183820513292983, 0.1316886384491766268984945,
		0.1181945319615184173123774, 0.1019301198172404350367501,
		0.0832767415767047487247581, 0.0626720483341090635695065,
		0.0406014298003869413310400, 0.0176140071391521183118620,
	}
	nodes := make([]float64, 0, 20)
	weights := make([]float64, 0, 20)
	for i := range x {
		nodes = append(nodes, -x[i], x[i])
		weights = append(weights, w[i], w[i])
	}
	return nodes, weights
}()
