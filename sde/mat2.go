package sde

import "math"

// Mat2 is a 2×2 matrix acting on a per-coordinate state (x, v).
type Mat2 struct{ XX, XV, VX, VV float64 }

// Sym2 is a symmetric 2×2 matrix, e.g. a per-coordinate covariance.
type Sym2 struct{ XX, XV, VV float64 }

// Identity2 returns the 2×2 identity.
func Identity2() Mat2 { return Mat2{XX: 1, VV: 1} }

// Mul returns m·n.
func (m Mat2) Mul(n Mat2) Mat2 {
	return Mat2{
		XX: m.XX*n.XX + m.XV*n.VX, XV: m.XX*n.XV + m.XV*n.VV,
		VX: m.VX*n.XX + m.VV*n.VX, VV: m.VX*n.XV + m.VV*n.VV,
	}
}

// Apply returns m·(x, v).
func (m Mat2) Apply(x, v float64) (float64, float64) {
	return m.XX*x + m.XV*v, m.VX*x + m.VV*v
}

// Scale returns s·m.
func (m Mat2) Scale(s float64) Mat2 { return Mat2{s * m.XX, s * m.XV, s * m.VX, s * m.VV} }

// Sandwich returns m·s·mᵀ.
func (m Mat2) Sandwich(s Sym2) Sym2 {
	// t = m·s
	txx := m.XX*s.XX + m.XV*s.XV
	txv := m.XX*s.XV + m.XV*s.VV
	tvx := m.VX*s.XX + m.VV*s.XV
	tvv := m.VX*s.XV + m.VV*s.VV
	return Sym2{
		XX: txx*m.XX + txv*m.XV,
		XV: txx*m.VX + txv*m.VV,
		VV: tvx*m.VX + tvv*m.VV,
	}
}

// Add returns s + o.
func (s Sym2) Add(o Sym2) Sym2 { return Sym2{s.XX + o.XX, s.XV + o.XV, s.VV + o.VV} }

// Sub returns s − o.
func (s Sym2) Sub(o Sym2) Sym2 { return Sym2{s.XX - o.XX, s.XV - o.XV, s.VV - o.VV} }

// Scale returns a·s.
func (s Sym2) Scale(a float64) Sym2 { return Sym2{a * s.XX, a * s.XV, a * s.VV} }

// Det returns the determinant.
func (s Sym2) Det() float64 { return s.XX*s.VV - s.XV*s.XV }

// Mat returns s as a general Mat2.
func (s Sym2) Mat() Mat2 { return Mat2{s.XX, s.XV, s.XV, s.VV} }

// Expm returns exp(s·A) for a 2×2 matrix A. With τ = tr A, δ = det A,
// Δ = τ²/4 − δ and N = A − (τ/2)I,
//
//	exp(sA) = e^{sτ/2}(c·I + k·N),  c = cosh(s√Δ), k = sinh(s√Δ)/√Δ,
//
// which covers the over-damped (Δ > 0), under-damped (Δ < 0, cos/sin) and
// critically damped (Δ = 0: c = 1, k = s) regimes. Near Δ = 0 the entire
// power series of c and k in s²Δ is used, so the result is continuous across
// regimes.
//
// No factor that overflows is ever multiplied by one that underflows, so
// the result is finite whenever exp(sA) is representable (for a stable A,
// for every finite s ≥ 0). A negative s is evaluated as exp(|s|·(−A)). A
// diagonal A gives exactly diag(e^{s·XX}, e^{s·VV}). In the over-damped
// regime the product e^{sτ/2}cosh(s√Δ) is not formed: with the eigenvalues
// λ₁ = τ/2 + √Δ ≥ λ₂ = τ/2 − √Δ,
//
//	exp(sA) = [e^{sλ₁}(A − λ₂I) − e^{sλ₂}(A − λ₁I)]/(λ₁ − λ₂),
//
// each exponential taken on its own, the difference e^{sλ₁} − e^{sλ₂} as
// −e^{sλ₁}·expm1(−2s√Δ), and the diagonal entries of A − λᵢI evaluated
// without cancellation; every entry is then accurate relative to the
// largest entry of exp(sA). In the critical and under-damped regimes
// e^{sτ/2}·k is evaluated as one exponential, ±e^{sτ/2 + log|k|}, once
// e^{sτ/2} is too small to be a normal number, so that it does not pass
// through a subnormal intermediate.
func Expm(s float64, a Mat2) Mat2 {
	if s < 0 {
		s, a = -s, a.Scale(-1)
	}
	if a.XV == 0 && a.VX == 0 {
		return Mat2{XX: math.Exp(s * a.XX), VV: math.Exp(s * a.VV)}
	}
	h := (a.XX + a.VV) / 2
	nxx := (a.XX - a.VV) / 2 // N = [[nxx, XV], [VX, −nxx]]
	off := a.XV * a.VX
	disc := nxx*nxx + off // τ²/4 − δ, formed without cancelling τ²/4 against δ
	z := s * s * disc
	var c, k float64
	switch {
	case math.Abs(z) < 0.05:
		// c = Σ zⁿ/(2n)!, k = s Σ zⁿ/(2n+1)!; 12 terms reach 1e-30 at |z| < 0.05.
		tc, tk := 1.0, 1.0
		c, k = 1, 1
		for n := 1; n <= 12; n++ {
			tc *= z / float64((2*n-1)*(2*n))
			tk *= z / float64((2*n)*(2*n+1))
			c += tc
			k += tk
		}
		k *= s
	case disc > 0:
		return expmOverdamped(s, a, h, nxx, off, disc)
	default:
		r := math.Sqrt(-disc)
		c, k = math.Cos(s*r), math.Sin(s*r)/r
	}
	e := math.Exp(s * h)
	ec := e * c
	ek := e * k // e^{sτ/2}·k
	if e < 0x1p-960 && k != 0 {
		// e is subnormal or 0 while k may be up to ~s: one exponential.
		ek = math.Copysign(math.Exp(s*h+math.Log(math.Abs(k))), k)
	}
	return Mat2{
		XX: ec + ek*nxx,
		XV: ek * a.XV,
		VX: ek * a.VX,
		VV: ec - ek*nxx,
	}
}

// expmOverdamped is Expm for Δ = disc > 0 and s ≥ 0 outside the series
// range: the spectral form with e^{sλ₁} and e^{sλ₂} formed separately.
func expmOverdamped(s float64, a Mat2, h, nxx, off, disc float64) Mat2 {
	r := math.Sqrt(disc)
	// λ₁ − λ₂ = 2r. A − λ₂I has diagonal (nxx + r, r − nxx) and A − λ₁I
	// has (nxx − r, −nxx − r); p = r + nxx and q = r − nxx are formed so
	// that the smaller one is the quotient off/(larger one) (p·q = off).
	var p, q float64
	if nxx >= 0 {
		p = r + nxx
		q = off / p
	} else {
		q = r - nxx
		p = off / q
	}
	// λ₁ = h + r, λ₂ = h − r; the one that would cancel is δ/(the other).
	var l1, l2 float64
	delta := a.XX*a.VV - off
	if h < 0 {
		l2 = h - r
		l1 = delta / l2
	} else {
		l1 = h + r
		if l1 != 0 {
			l2 = delta / l1
		}
	}
	e1, e2 := math.Exp(s*l1), math.Exp(s*l2)
	d := -e1 * math.Expm1(-2*s*r) // e1 − e2 without cancellation
	w := 1 / (2 * r)
	return Mat2{
		XX: (e1*p + e2*q) * w,
		XV: d * a.XV * w,
		VX: d * a.VX * w,
		VV: (e1*q + e2*p) * w,
	}
}

// SpectralRadius returns max |λ| over the eigenvalues of a.
func SpectralRadius(a Mat2) float64 {
	tau := a.XX + a.VV
	delta := a.XX*a.VV - a.XV*a.VX
	disc := tau*tau/4 - delta
	if disc >= 0 {
		r := math.Sqrt(disc)
		return math.Max(math.Abs(tau/2+r), math.Abs(tau/2-r))
	}
	return math.Sqrt(tau*tau/4 - disc)
}
