package sde

import (
	"fmt"
	"math"
	"sync"
	"testing"
)

// rCases returns the processes × objectives the R-factor tests run over
// (defaults without numerical epsilon).
func rCases(t *testing.T) []struct {
	name string
	p    *Process
	o    Objective
} {
	t.Helper()
	vp, err := NewVP(DefaultVP())
	if err != nil {
		t.Fatal(err)
	}
	cc := DefaultCLD()
	cc.NumericalEps = 0
	pc := DefaultPSLD()
	pc.NumericalEps = 0
	cld, psld := mustCLD(t, cc), mustPSLD(t, pc)
	var out []struct {
		name string
		p    *Process
		o    Objective
	}
	for _, p := range []*Process{vp, cld, psld} {
		for _, o := range []Objective{HSM, DSM} {
			out = append(out, struct {
				name string
				p    *Process
				o    Objective
			}{fmt.Sprintf("%v/%v", p.Kind, o), p, o})
		}
	}
	return out
}

var (
	rCacheMu sync.Mutex
	rCache   = map[[2]int]*RFactor{}
)

// mustR builds (once per kind and objective, for the default processes of
// rCases) the R table.
func mustR(t *testing.T, p *Process, o Objective) *RFactor {
	t.Helper()
	rCacheMu.Lock()
	defer rCacheMu.Unlock()
	key := [2]int{int(p.Kind), int(o)}
	if f, ok := rCache[key]; ok && f.p.String() == p.String() {
		return f
	}
	f, err := p.NewRFactor(o)
	if err != nil {
		t.Fatal(err)
	}
	rCache[key] = f
	return f
}

// matRel returns ‖a − b‖_F / ‖b‖_F.
func matRel(a, b Mat2) float64 {
	d := a.Sub(b)
	return math.Sqrt((d.XX*d.XX + d.XV*d.XV + d.VX*d.VX + d.VV*d.VV) / (b.XX*b.XX + b.XV*b.XV + b.VX*b.VX + b.VV*b.VV))
}

// rTimes spans six decades of t and the table's end.
var rTimes = []float64{1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.3, 0.5, 0.77, 1}

// R Rᵀ must reproduce Process.Cov (computed independently, by the flow's
// quadrature or Lyapunov form) to 1e-12 relative.
func TestRFactorCovariance(t *testing.T) {
	t.Parallel()
	for _, c := range rCases(t) {
		f := mustR(t, c.p, c.o)
		for _, tt := range rTimes {
			r, err := f.At(tt)
			if err != nil {
				t.Fatal(err)
			}
			s := c.p.Cov(tt, c.p.InitialCov(c.o))
			rr := r.Mul(r.T())
			if c.p.Order() == 1 {
				rr.XV, rr.VX, rr.VV = 0, 0, 0
				s.XV, s.VV = 0, 0
			}
			if e := matRel(rr, s.Mat()); e > 1e-12 {
				t.Errorf("%s t=%g: ‖RRᵀ − Σ‖/‖Σ‖ = %.3g > 1e-12", c.name, tt, e)
			}
		}
	}
}

// dR/dB = (A + ½DΣ⁻¹)R, checked with a fourth-order central difference of
// At in B (truncation ≲ 1e-9 at the step used).
func TestRFactorODEResidual(t *testing.T) {
	t.Parallel()
	for _, c := range rCases(t) {
		f := mustR(t, c.p, c.o)
		for _, tt := range rTimes[1 : len(rTimes)-1] {
			b := c.p.Schedule.Integral(tt)
			h := 1e-3 * b
			at := func(x float64) Mat2 {
				r, err := f.AtB(x)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			fd := at(b - 2*h).Sub(at(b + 2*h)).Add(at(b + h).Sub(at(b - h)).Scale(8)).Scale(1 / (12 * h))
			s := c.p.Cov(tt, c.p.InitialCov(c.o))
			si := s.Mat().Inv()
			if c.p.Order() == 1 {
				si = Mat2{XX: 1 / s.XX}
			}
			dm := Mat2{XX: c.p.D.XX, XV: c.p.D.XV, VX: c.p.D.XV, VV: c.p.D.VV}
			rhs := c.p.A.Add(dm.Mul(si).Scale(0.5)).Mul(at(b))
			if c.p.Order() == 1 {
				rhs.XV, rhs.VX, rhs.VV = 0, 0, 0
			}
			if e := matRel(fd, rhs); e > 1e-7 {
				t.Errorf("%s t=%g: ‖dR/dB − (A+½DΣ⁻¹)R‖/‖·‖ = %.3g > 1e-7", c.name, tt, e)
			}
		}
	}
}

// An independent solution: the matrix ODE dR/dB = A R + ½ D R⁻ᵀ integrated
// by RK4 in ln B from the table's R at B₀ = 1e-6 to B(T) must land on the
// table's R there (this checks the θ formula, the quadrature and the
// interpolation together).
func TestRFactorAgainstRK4(t *testing.T) {
	t.Parallel()
	for _, c := range rCases(t) {
		if c.p.Order() == 1 {
			continue
		}
		f := mustR(t, c.p, c.o)
		dm := Mat2{XX: c.p.D.XX, XV: c.p.D.XV, VX: c.p.D.XV, VV: c.p.D.VV}
		// d R/du with u = ln B.
		rhs := func(u float64, r Mat2) Mat2 {
			b := math.Exp(u)
			return c.p.A.Mul(r).Add(dm.Mul(r.Inv().T()).Scale(0.5)).Scale(b)
		}
		u0, u1 := math.Log(1e-6), math.Log(f.MaxB())
		r, err := f.AtB(1e-6)
		if err != nil {
			t.Fatal(err)
		}
		const n = 20000
		h := (u1 - u0) / n
		checks := map[int]bool{n / 4: true, n / 2: true, n: true}
		for i := 1; i <= n; i++ {
			u := u0 + float64(i-1)*h
			k1 := rhs(u, r)
			k2 := rhs(u+h/2, r.Add(k1.Scale(h/2)))
			k3 := rhs(u+h/2, r.Add(k2.Scale(h/2)))
			k4 := rhs(u+h, r.Add(k3.Scale(h)))
			r = r.Add(k1.Add(k2.Scale(2)).Add(k3.Scale(2)).Add(k4).Scale(h / 6))
			if checks[i] {
				b := math.Min(math.Exp(u0+float64(i)*h), f.MaxB())
				want, err := f.AtB(b)
				if err != nil {
					t.Fatal(err)
				}
				if e := matRel(r, want); e > 1e-9 {
					t.Errorf("%s B=%.4g: RK4 vs table ‖ΔR‖/‖R‖ = %.3g > 1e-9", c.name, b, e)
				}
			}
		}
	}
}

// For VP, R = L = σ_t.
func TestRFactorVP(t *testing.T) {
	t.Parallel()
	p, err := NewVP(DefaultVP())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Objective{HSM, DSM} {
		f := mustR(t, p, o)
		for _, tt := range rTimes {
			r, err := f.At(tt)
			if err != nil {
				t.Fatal(err)
			}
			sigma := math.Sqrt(-math.Expm1(-p.Schedule.Integral(tt)))
			relClose(t, "VP R", r.XX, sigma, 1e-13)
			if r.XV != 0 || r.VX != 0 || r.VV != 0 {
				t.Errorf("VP R = %+v, want only XX", r)
			}
		}
	}
}

// The initial condition: θ(B) → 0 as B → 0 (R → L) where c = 0, at the
// rate of the leading term (HSM: ∝ √B; PSLD DSM: ∝ B), and B·θ'(B) → c for
// CLD DSM (c = −√3/2), with θ − c ln B converging.
func TestRFactorInitialCondition(t *testing.T) {
	t.Parallel()
	for _, c := range rCases(t) {
		if c.p.Order() == 1 {
			continue
		}
		f := mustR(t, c.p, c.o)
		wantC := 0.0
		if c.p.Kind == CLD && c.o == DSM {
			wantC = -math.Sqrt(3) / 2
		}
		if f.LogCoefficient() != wantC {
			t.Errorf("%s: c = %v, want %v", c.name, f.LogCoefficient(), wantC)
		}
		// B θ'(B) → c.
		for _, b := range []float64{1e-6, 1e-8} {
			got := b * f.AngleRate(b)
			if math.Abs(got-wantC) > 1e-2 {
				t.Errorf("%s: B·θ'(B) at B=%g = %.6g, want → %.6g", c.name, b, got, wantC)
			}
		}
		var prev float64
		for i, b := range []float64{1e-4, 1e-6, 1e-8, 1e-10} {
			th := f.Angle(b) - wantC*math.Log(b)
			t.Logf("%s: θ(%g) − c ln B = %.3e", c.name, b, th)
			if wantC == 0 && i > 0 && !(math.Abs(th) < 0.2*math.Abs(prev)+1e-14) {
				t.Errorf("%s: |θ(%g)| = %.3g does not fall with B (previous %.3g)", c.name, b, th, prev)
			}
			if wantC != 0 && i > 0 && math.Abs(th-prev) > 1e-2 {
				t.Errorf("%s: θ − c ln B changed by %.3g between B = %g and 100·B", c.name, th-prev, b)
			}
			prev = th
		}
	}
}

// Kernel's R reproduces the kernel covariance with the numerical epsilon.
func TestRFactorKernel(t *testing.T) {
	t.Parallel()
	p := mustCLD(t, DefaultCLD())
	f := mustR(t, p, HSM)
	for _, tt := range []float64{1e-3, 0.2, 1} {
		k, r, err := f.Kernel(tt)
		if err != nil {
			t.Fatal(err)
		}
		if e := matRel(r.Mul(r.T()), k.Sigma.Mat()); e > 1e-13 {
			t.Errorf("t=%g: ‖RRᵀ − Σ_eps‖/‖Σ_eps‖ = %.3g", tt, e)
		}
	}
	if _, err := f.At(0); err == nil {
		t.Error("At(0): no error")
	}
	if _, err := f.At(1.5); err == nil {
		t.Error("At(1.5): no error")
	}
	if _, err := p.NewRFactor(0); err == nil {
		t.Error("NewRFactor(0): no error")
	}
}

// The table and the per-call quadrature below it agree where they meet and
// inside the table.
func TestRFactorTableMatchesQuadrature(t *testing.T) {
	t.Parallel()
	for _, c := range rCases(t) {
		if c.p.Order() == 1 {
			continue
		}
		f := mustR(t, c.p, c.o)
		for _, b := range []float64{rTableLow * (1 + 1e-9), 3e-7, 1e-5, 1e-3} {
			if d := math.Abs(f.Angle(b) - f.tail(b)); d > 1e-11 {
				t.Errorf("%s B=%g: table θ − quadrature θ = %.3g", c.name, b, d)
			}
		}
	}
}

func BenchmarkNewRFactor(b *testing.B) {
	p, _ := NewCLD(DefaultCLD())
	for b.Loop() {
		if _, err := p.NewRFactor(HSM); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRFactorAt(b *testing.B) {
	p, _ := NewCLD(DefaultCLD())
	f, _ := p.NewRFactor(HSM)
	t := 0.0
	for b.Loop() {
		t += 1e-4
		if t > 1 {
			t = 1e-4
		}
		if _, err := f.At(t); err != nil {
			b.Fatal(err)
		}
	}
}
