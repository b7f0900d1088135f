package sde

import "math"

// CLDCovariance is the CLD paper's closed-form covariance under critical
// damping (Dockhorn et al. 2022, App. B.1) for Σ₀ = diag(s0xx, s0vv),
// B = B(t), Γ = friction (M⁻¹ = 4/Γ²). It is kept as an independent check
// of Process.Cov.
//
// The paper writes every entry as e^{−4B/Γ}·(polynomial in B + e^{4B/Γ} − 1),
// which is Inf·0 = NaN once 4B/Γ exceeds about 709 and cancels O(1) terms
// at small B. The same expression is evaluated here regrouped as
//
//	Σ = Φ Σ₀ Φᵀ + D·I₀ + (ND + DNᵀ)·I₁ + NDNᵀ·I₂,  I_k = ∫₀ᴮ r^k e^{−μr} dr,
//
// with Φ = CLDMean, μ = 4/Γ, N = [[2/Γ, 4/Γ²], [−1, −2/Γ]] and D = diag(0, 2Γ)
// (the integrand of Σ − ΦΣ₀Φᵀ is e^{−μr}(I + rN)D(I + rN)ᵀ under critical
// damping); every term is finite for all B ≥ 0 and the I_k keep full relative
// precision as B → 0.
func CLDCovariance(B, gamma, s0xx, s0vv float64) Sym2 {
	g := gamma
	n := Mat2{XX: 2 / g, XV: 4 / (g * g), VX: -1, VV: -2 / g}
	return CLDMean(B, g).Sandwich(Sym2{XX: s0xx, VV: s0vv}).Add(criticalNoise(4/g, n, Sym2{VV: 2 * g}, B))
}

// CLDMean is the CLD paper's mean propagator under critical damping,
// e^{−2B/Γ}[[1 + 2B/Γ, 4B/Γ²], [−B, 1 − 2B/Γ]] (Dockhorn et al. 2022,
// App. B.1); it underflows to 0 for large B, never overflows.
func CLDMean(B, gamma float64) Mat2 {
	g := gamma
	e := math.Exp(-2 * B / g)
	return Mat2{XX: e * (1 + 2*B/g), XV: e * 4 * B / (g * g), VX: -e * B, VV: e * (1 - 2*B/g)}
}

// PSLDCovariance is the PSLD paper's closed-form covariance (Pandey & Mandt
// 2023, App. A) for Σ₀ = diag(s0xx, s0mm), b = B(t), with M⁻¹ = (Γ − ν)²/4.
// Like CLDCovariance it is evaluated regrouped as
//
//	Σ = Φ Σ₀ Φᵀ + D·I₀ + (ND + DNᵀ)·I₁ + NDNᵀ·I₂,  I_k = ∫₀ᵇ r^k e^{−μr} dr,
//
// with Φ = PSLDMean, μ = (Γ + ν)/2, N = [[(ν − Γ)/4, M⁻¹/2], [−½, (Γ − ν)/4]]
// and D = diag(Γ, Mν), instead of the paper's e^{−μb}·(… + e^{μb} − 1),
// which overflows to NaN for μb ≳ 709 and cancels at small b.
func PSLDCovariance(b, gamma, nu, s0xx, s0mm float64) Sym2 {
	minv := (gamma - nu) * (gamma - nu) / 4
	n := Mat2{XX: (nu - gamma) / 4, XV: minv / 2, VX: -0.5, VV: (gamma - nu) / 4}
	d := Sym2{XX: gamma, VV: nu / minv}
	return PSLDMean(b, gamma, nu).Sandwich(Sym2{XX: s0xx, VV: s0mm}).Add(criticalNoise((gamma+nu)/2, n, d, b))
}

// PSLDMean is the PSLD paper's mean propagator (Pandey & Mandt 2023, App. A);
// it underflows to 0 for large b, never overflows.
func PSLDMean(b, gamma, nu float64) Mat2 {
	c := math.Exp(-(gamma + nu) * b / 4)
	return Mat2{
		XX: c * (1 + (nu-gamma)*b/4), XV: c * (gamma - nu) * (gamma - nu) / 8 * b,
		VX: -c * b / 2, VV: c * (1 + (gamma-nu)*b/4),
	}
}

// criticalNoise returns ∫₀ᵇ e^{−μr}(I + rN)D(I + rN)ᵀ dr, the covariance
// accumulated from Σ₀ = 0 by a critically damped drift A = −(μ/2)I + N (N
// nilpotent) with noise D per unit b.
func criticalNoise(mu float64, n Mat2, d Sym2, b float64) Sym2 {
	i0, i1, i2 := expMoments(mu, b)
	nd := n.Mul(d.Mat())
	cross := Sym2{XX: 2 * nd.XX, XV: nd.XV + nd.VX, VV: 2 * nd.VV} // ND + DNᵀ
	return d.Scale(i0).Add(cross.Scale(i1)).Add(n.Sandwich(d).Scale(i2))
}

// expMoments returns I_k = ∫₀ᵇ r^k e^{−μr} dr for k = 0, 1, 2 (μ ≥ 0,
// b ≥ 0). With y = μb, I_k = b^{k+1}·∫₀¹ u^k e^{−yu} du; for y ≤ 1 the inner
// integral is summed as Σⱼ (−y)ʲ/(j!(k+j+1)) (full relative precision as
// b → 0), otherwise I_k = k!/μ^{k+1}·(1 − e^{−y}Σ_{j≤k} yʲ/j!), whose
// cancellation is at most a factor e ≈ 12 at y = 1 and which tends to
// k!/μ^{k+1} without overflow as y → ∞.
func expMoments(mu, b float64) (i0, i1, i2 float64) {
	y := mu * b
	if y <= 1 {
		var j0, j1, j2 float64
		term := 1.0 // (−y)ʲ/j!
		for j := 0; j < 25; j++ {
			fj := float64(j)
			j0 += term / (fj + 1)
			j1 += term / (fj + 2)
			j2 += term / (fj + 3)
			term *= -y / (fj + 1)
		}
		return b * j0, b * b * j1, b * b * b * j2
	}
	e := math.Exp(-y)
	p1 := -math.Expm1(-y)
	p2 := 1 - e*(1+y)
	p3 := 1 - e*(1+y+y*y/2)
	return p1 / mu, p2 / (mu * mu), 2 * p3 / (mu * mu * mu)
}
