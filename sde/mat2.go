package sde

import "math"

// Mat2 is a 2×2 matrix acting on a per-coordinate state (x, v).
type Mat2 struct{ XX, XV, VX, VV float64 }

// Sym2 is a symmetric 2×2 matrix, e.g. a per-coordinate covariance.
type Sym2 struct{ XX, XV, VV float64 }

// Identity2 is the 2×2 identity.
var Identity2 = Mat2{XX: 1, VV: 1}

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
func Expm(s float64, a Mat2) Mat2 {
	tau := a.XX + a.VV
	delta := a.XX*a.VV - a.XV*a.VX
	disc := tau*tau/4 - delta
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
		r := math.Sqrt(disc)
		c, k = math.Cosh(s*r), math.Sinh(s*r)/r
	default:
		r := math.Sqrt(-disc)
		c, k = math.Cos(s*r), math.Sin(s*r)/r
	}
	e := math.Exp(s * tau / 2)
	h := tau / 2
	return Mat2{
		XX: e * (c + k*(a.XX-h)),
		XV: e * k * a.XV,
		VX: e * k * a.VX,
		VV: e * (c + k*(a.VV-h)),
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
