package ode_test

import (
	"errors"
	"math"
	"testing"

	"phasespace/likelihood"
	"phasespace/ode"
)

var _ likelihood.Integrator = ode.Integrate

// decay is y_i' = −λ_i y_i with closed form y_i(t) = y_i(0)e^{−λ_i t}.
var lambdas = []float64{0.5, 1, 3}

func decay(t float64, y, dy []float64) {
	for i := range y {
		dy[i] = -lambdas[i] * y[i]
	}
}

// oscillator is d²x/dt² = −ω²x as (x, p): x(t) = cos ωt, p = −ω sin ωt.
const omega = 2.0

func oscillator(t float64, y, dy []float64) {
	dy[0] = y[1]
	dy[1] = -omega * omega * y[0]
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

type problem struct {
	name   string
	f      ode.Func
	y0     func() []float64
	t0, t1 float64
	exact  func(t float64) []float64
}

var problems = []problem{
	{"decay", decay, func() []float64 { return []float64{1, -2, 0.5} }, 0, 4, func(t float64) []float64 {
		return []float64{math.Exp(-lambdas[0] * t), -2 * math.Exp(-lambdas[1]*t), 0.5 * math.Exp(-lambdas[2]*t)}
	}},
	{"oscillator", oscillator, func() []float64 { return []float64{1, 0} }, 0, 10, func(t float64) []float64 {
		return []float64{math.Cos(omega * t), -omega * math.Sin(omega*t)}
	}},
	{"oscillator-backwards", oscillator, func() []float64 { return []float64{math.Cos(omega * 3), -omega * math.Sin(omega*3)} }, 3, -2, func(t float64) []float64 {
		return []float64{math.Cos(omega * t), -omega * math.Sin(omega*t)}
	}},
}

// TestClosedForms integrates each problem at several tolerances and checks
// that the global error is within a small multiple of the tolerance, that
// tighter tolerance costs more evaluations and gives a smaller error, and
// that Stats.NFE equals the number of calls of f.
func TestClosedForms(t *testing.T) {
	t.Parallel()
	tols := []float64{1e-3, 1e-5, 1e-7, 1e-9}
	for _, ctrl := range []struct {
		name string
		new  func() ode.Controller
	}{{"PI", func() ode.Controller { return ode.DefaultPI() }}, {"I", func() ode.Controller { return ode.IController() }}} {
		for _, p := range problems {
			prevErr, prevNFE := math.Inf(1), 0
			errs := make([]float64, len(tols))
			for i, tol := range tols {
				calls := 0
				f := func(t float64, y, dy []float64) { calls++; p.f(t, y, dy) }
				y := p.y0()
				st, err := ode.Solve(f, p.t0, p.t1, y, ode.Options{RTol: tol, ATol: tol, Controller: ctrl.new()})
				if err != nil {
					t.Fatalf("%s/%s tol %g: %v", ctrl.name, p.name, tol, err)
				}
				if st.NFE != calls {
					t.Errorf("%s/%s tol %g: Stats.NFE = %d, f called %d times", ctrl.name, p.name, tol, st.NFE, calls)
				}
				if want := 2 + 6*(st.Accepted+st.Rejected); st.NFE != want {
					t.Errorf("%s/%s tol %g: NFE %d, want 2 + 6·attempts = %d", ctrl.name, p.name, tol, st.NFE, want)
				}
				e := maxAbsDiff(y, p.exact(p.t1))
				errs[i] = e
				t.Logf("%s/%s tol %g: err %.3g NFE %d (acc %d rej %d)", ctrl.name, p.name, tol, e, st.NFE, st.Accepted, st.Rejected)
				if e > 50*tol {
					t.Errorf("%s/%s tol %g: error %g > 50·tol", ctrl.name, p.name, tol, e)
				}
				if !(e < prevErr) {
					t.Errorf("%s/%s tol %g: error %g not below the looser tolerance's %g", ctrl.name, p.name, tol, e, prevErr)
				}
				if !(st.NFE > prevNFE) {
					t.Errorf("%s/%s tol %g: NFE %d not above the looser tolerance's %d", ctrl.name, p.name, tol, st.NFE, prevNFE)
				}
				prevErr, prevNFE = e, st.NFE
			}
			// Global error should scale roughly linearly with the tolerance:
			// 6 decades of tolerance give 4 to 8 decades of error.
			if dec := math.Log10(errs[0] / errs[len(errs)-1]); dec < 4 || dec > 8 {
				t.Errorf("%s/%s: error fell %.2f decades over 6 decades of tolerance, want 4..8", ctrl.name, p.name, dec)
			}
		}
	}
}

// TestNFEScaling: a fifth-order method needs about tol^(−1/5) steps, so 5
// decades of tolerance cost about 10× the evaluations (accept 4..25×).
func TestNFEScaling(t *testing.T) {
	t.Parallel()
	nfe := func(tol float64) int {
		y := []float64{1, 0}
		st, err := ode.Solve(oscillator, 0, 20, y, ode.Options{RTol: tol, ATol: tol})
		if err != nil {
			t.Fatal(err)
		}
		return st.NFE
	}
	lo, hi := nfe(1e-4), nfe(1e-9)
	if r := float64(hi) / float64(lo); r < 4 || r > 25 {
		t.Errorf("NFE(1e-9)/NFE(1e-4) = %d/%d = %.2f, want 4..25 (≈10 for order 5)", hi, lo, r)
	}
}

// TestStepperOrder checks the tableau: the local error of one step on
// y' = y·cos t (exact y = e^{sin t}) scales as h⁶, and the embedded error
// estimate as h⁵.
func TestStepperOrder(t *testing.T) {
	t.Parallel()
	f := func(t float64, y, dy []float64) { dy[0] = y[0] * math.Cos(t) }
	local := func(h float64) (float64, float64) {
		var s ode.DormandPrince5
		y := []float64{math.Exp(math.Sin(0.3))}
		s.Init(f, 0.3, y)
		y1, ye := make([]float64, 1), make([]float64, 1)
		s.Step(f, 0.3, h, y, y1, ye)
		return math.Abs(y1[0] - math.Exp(math.Sin(0.3+h))), math.Abs(ye[0])
	}
	e1, est1 := local(0.1)
	e2, est2 := local(0.05)
	if p := math.Log2(e1 / e2); p < 5.5 || p > 6.6 {
		t.Errorf("local error order %.2f, want ≈ 6 (errors %g, %g)", p, e1, e2)
	}
	if p := math.Log2(est1 / est2); p < 4.5 || p > 5.6 {
		t.Errorf("error-estimate order %.2f, want ≈ 5 (estimates %g, %g)", p, est1, est2)
	}
}

func TestFirstSameAsLast(t *testing.T) {
	t.Parallel()
	// With a fixed first step and no rejections, NFE = 1 + 6·steps.
	y := []float64{1, -2, 0.5}
	st, err := ode.Solve(decay, 0, 1, y, ode.Options{RTol: 1e-3, ATol: 1e-3, FirstStep: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if st.NFE != 1+6*(st.Accepted+st.Rejected) {
		t.Errorf("NFE %d with %d attempts, want 1 + 6·attempts", st.NFE, st.Accepted+st.Rejected)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	// y' = y² from y(0) = 1 blows up at t = 1: the step size underflows.
	blow := func(t float64, y, dy []float64) { dy[0] = y[0] * y[0] }
	_, err := ode.Solve(blow, 0, 2, []float64{1}, ode.Options{})
	if !errors.Is(err, ode.ErrStepUnderflow) && !errors.Is(err, ode.ErrNonFinite) {
		t.Errorf("blow-up: got %v, want step underflow or non-finite", err)
	}
	// NaN in f from t > 0.5 on.
	nan := func(t float64, y, dy []float64) {
		dy[0] = -y[0]
		if t > 0.5 {
			dy[0] = math.NaN()
		}
	}
	_, err = ode.Solve(nan, 0, 1, []float64{1}, ode.Options{})
	if !errors.Is(err, ode.ErrNonFinite) {
		t.Errorf("NaN rhs: got %v, want ErrNonFinite", err)
	}
	// NaN at the start.
	_, err = ode.Solve(func(t float64, y, dy []float64) { dy[0] = math.NaN() }, 0, 1, []float64{1}, ode.Options{})
	if !errors.Is(err, ode.ErrNonFinite) {
		t.Errorf("NaN at start: got %v, want ErrNonFinite", err)
	}
	// Max steps.
	_, err = ode.Solve(oscillator, 0, 100, []float64{1, 0}, ode.Options{RTol: 1e-10, ATol: 1e-10, MaxSteps: 20})
	if !errors.Is(err, ode.ErrMaxSteps) {
		t.Errorf("max steps: got %v, want ErrMaxSteps", err)
	}
	// Bad tolerances.
	if _, err = ode.Solve(decay, 0, 1, []float64{1, 1, 1}, ode.Options{RTol: -1}); err == nil {
		t.Error("negative rtol accepted")
	}
}

func TestCallbackAndMaxStep(t *testing.T) {
	t.Parallel()
	var ts []float64
	y := []float64{1, 0}
	st, err := ode.Solve(oscillator, 0, 1, y, ode.Options{MaxStep: 0.05, Callback: func(t float64, y []float64) { ts = append(ts, t) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != st.Accepted || ts[len(ts)-1] != 1 {
		t.Fatalf("callback times %d (last %v), accepted %d; want one per step ending at 1", len(ts), ts[len(ts)-1], st.Accepted)
	}
	prev := 0.0
	for _, tt := range ts {
		if tt-prev > 0.05+1e-15 || tt <= prev {
			t.Fatalf("step %v → %v exceeds MaxStep 0.05 or is not increasing", prev, tt)
		}
		prev = tt
	}
}
