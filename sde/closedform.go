package sde

import "math"

// CLDCovariance is the CLD paper's hand-expanded covariance under critical
// damping for Σ₀ = diag(s0xx, s0vv), B = B(t), Γ = friction (E = e^{−4B/Γ}).
// It is kept as an independent check of Process.Cov.
func CLDCovariance(B, gamma, s0xx, s0vv float64) Sym2 {
	g := gamma
	e := math.Exp(-4 * B / g)
	xx := e * (s0xx + 1/e - 1 + 4*B/g*(s0xx-1) + 4*B*B/(g*g)*(s0xx-2) + 16*B*B/(g*g*g*g)*s0vv)
	xv := e * (-B*s0xx + 4*B/(g*g)*s0vv - 2*B*B/g*(s0xx-2) - 8*B*B/(g*g*g)*s0vv)
	vv := e * (g*g/4*(1/e-1) + g*B + s0vv*(1-4*B/g+4*B*B/(g*g)) + B*B*(s0xx-2))
	return Sym2{xx, xv, vv}
}

// CLDMean is the CLD paper's mean propagator under critical damping.
func CLDMean(B, gamma float64) Mat2 {
	g := gamma
	e := math.Exp(-2 * B / g)
	return Mat2{XX: e * (1 + 2*B/g), XV: e * 4 * B / (g * g), VX: -e * B, VV: e * (1 - 2*B/g)}
}

// PSLDCovariance is the PSLD paper's closed-form covariance for Σ₀ =
// diag(s0xx, s0mm), b = B(t), with M⁻¹ = (Γ − ν)²/4.
func PSLDCovariance(b, gamma, nu, s0xx, s0mm float64) Sym2 {
	minv := (gamma - nu) * (gamma - nu) / 4
	m := 1 / minv
	e := math.Exp(-(gamma + nu) * b / 2)
	xx := e * (minv/4*b*b*s0xx + minv*minv/4*b*b*s0mm + (nu-gamma)/2*b*s0xx - minv/2*b*b + (gamma-nu)/2*b + (1/e - 1) + s0xx)
	xm := e * ((gamma-nu)/8*b*b*s0xx + minv*(gamma-nu)/8*b*b*s0mm - b/2*s0xx + minv/2*b*s0mm + (nu-gamma)/4*b*b)
	mm := e * (b*b/4*s0xx + minv/4*b*b*s0mm + (gamma-nu)/2*b*s0mm - b*b/2 + m*(nu-gamma)/2*b + m*(1/e-1) + s0mm)
	return Sym2{xx, xm, mm}
}

// PSLDMean is the PSLD paper's mean propagator.
func PSLDMean(b, gamma, nu float64) Mat2 {
	c := math.Exp(-(gamma + nu) * b / 4)
	return Mat2{
		XX: c * (1 + (nu-gamma)*b/4), XV: c * (gamma - nu) * (gamma - nu) / 8 * b,
		VX: -c * b / 2, VV: c * (1 + (gamma-nu)*b/4),
	}
}
