package ode

import (
	"errors"
	"fmt"
	"math"
)

// Options configures Solve. The zero value of each field selects its
// default.
type Options struct {
	RTol, ATol float64 // relative and absolute tolerance (default 1e-5 each)
	// FirstStep is the magnitude of the first step; 0 selects it with
	// Hairer's algorithm (one extra evaluation of f).
	FirstStep float64
	MaxStep   float64 // largest step magnitude; 0 means |t1 − t0|
	MaxSteps  int     // largest number of step attempts (default 100000)

	Stepper    Stepper    // default *DormandPrince5
	Controller Controller // default DefaultPI()

	// Callback, if set, is called after each accepted step with the new
	// time and state (which it must not modify or retain).
	Callback func(t float64, y []float64)
}

// Stats reports the cost of a solve.
type Stats struct {
	NFE      int     // evaluations of f, including initial step selection
	Accepted int     // accepted steps
	Rejected int     // rejected step attempts
	LastStep float64 // size of the last accepted step
}

// Errors returned by Solve (wrapped with the time at which they occurred).
var (
	ErrStepUnderflow = errors.New("ode: step size underflow")
	ErrMaxSteps      = errors.New("ode: maximum number of steps reached")
	ErrNonFinite     = errors.New("ode: non-finite value")
)

// Solve integrates dy/dt = f(t, y) from t0 to t1 (t1 < t0 integrates
// backwards) and overwrites y with y(t1). It returns ErrStepUnderflow if the
// step size falls below the resolution of t, ErrMaxSteps after
// Options.MaxSteps attempts, and ErrNonFinite if f is NaN or ±Inf at the
// initial point or the error estimate stays non-finite down to underflow.
func Solve(f Func, t0, t1 float64, y []float64, opt Options) (Stats, error) {
	var st Stats
	if opt.RTol == 0 {
		opt.RTol = 1e-5
	}
	if opt.ATol == 0 {
		opt.ATol = 1e-5
	}
	if !(opt.RTol > 0) || !(opt.ATol > 0) || math.IsInf(opt.RTol, 0) || math.IsInf(opt.ATol, 0) {
		return st, fmt.Errorf("ode: rtol = %v, atol = %v: want finite values > 0", opt.RTol, opt.ATol)
	}
	if opt.MaxSteps == 0 {
		opt.MaxSteps = 100000
	}
	if math.IsNaN(t0) || math.IsNaN(t1) || math.IsInf(t0, 0) || math.IsInf(t1, 0) {
		return st, fmt.Errorf("ode: interval [%v, %v] is not finite", t0, t1)
	}
	if t0 == t1 || len(y) == 0 {
		return st, nil
	}
	stepper := opt.Stepper
	if stepper == nil {
		stepper = &DormandPrince5{}
	}
	ctrl := opt.Controller
	if ctrl == nil {
		ctrl = DefaultPI()
	}
	ctrl.Reset()
	dir := 1.0
	if t1 < t0 {
		dir = -1
	}
	span := math.Abs(t1 - t0)
	maxStep := opt.MaxStep
	if maxStep <= 0 || maxStep > span {
		maxStep = span
	}

	st.NFE += stepper.Init(f, t0, y)
	if i := firstNonFinite(stepper.Derivative()); i >= 0 {
		return st, fmt.Errorf("%w: f(t = %v) component %d = %v at the initial point", ErrNonFinite, t0, i, stepper.Derivative()[i])
	}
	n := len(y)
	y1, yerr := make([]float64, n), make([]float64, n)
	h := opt.FirstStep
	if h <= 0 {
		var nfe int
		h, nfe = initialStep(f, t0, y, stepper.Derivative(), dir, stepper.ErrorOrder(), opt.RTol, opt.ATol, y1, yerr)
		st.NFE += nfe
	}
	h = math.Min(h, maxStep)
	k := stepper.ErrorOrder() + 1
	t := t0
	for attempts := 0; ; attempts++ {
		if attempts >= opt.MaxSteps {
			return st, fmt.Errorf("%w (%d) at t = %v before reaching %v", ErrMaxSteps, opt.MaxSteps, t, t1)
		}
		minStep := 10 * math.Abs(math.Nextafter(t, t+dir)-t)
		if h < minStep {
			return st, fmt.Errorf("%w at t = %v: step %v below %v", ErrStepUnderflow, t, h, minStep)
		}
		last := false
		if rem := math.Abs(t1 - t); h >= rem {
			h, last = rem, true
		}
		st.NFE += stepper.Step(f, t, dir*h, y, y1, yerr)
		e := errNorm(y, y1, yerr, opt.RTol, opt.ATol)
		if math.IsNaN(e) || math.IsInf(e, 0) {
			if h/5 < minStep {
				return st, fmt.Errorf("%w: error estimate %v at t = %v, step %v (the right-hand side is not finite)", ErrNonFinite, e, t, h)
			}
		}
		ok, fac := ctrl.Adapt(e, k)
		if !ok {
			st.Rejected++
			h *= fac
			continue
		}
		if last {
			t = t1
		} else {
			t += dir * h
		}
		copy(y, y1)
		stepper.Accept()
		st.Accepted++
		st.LastStep = h
		if opt.Callback != nil {
			opt.Callback(t, y)
		}
		if last {
			return st, nil
		}
		h = math.Min(h*fac, maxStep)
	}
}

// errNorm is the RMS of err_i / (atol + rtol·max(|y_i|, |y1_i|)).
func errNorm(y, y1, yerr []float64, rtol, atol float64) float64 {
	s := 0.0
	for i := range y {
		sc := atol + rtol*math.Max(math.Abs(y[i]), math.Abs(y1[i]))
		r := yerr[i] / sc
		s += r * r
	}
	return math.Sqrt(s / float64(len(y)))
}

func rmsScaled(v, y []float64, rtol, atol float64) float64 {
	s := 0.0
	for i := range v {
		r := v[i] / (atol + rtol*math.Abs(y[i]))
		s += r * r
	}
	return math.Sqrt(s / float64(len(v)))
}

// initialStep is Hairer, Nørsett & Wanner's starting step algorithm
// (Solving ODEs I, §II.4), as in scipy's select_initial_step: one Euler
// trial step to estimate the second derivative. y1 and f1 are scratch.
func initialStep(f Func, t0 float64, y0, f0 []float64, dir float64, errOrder int, rtol, atol float64, y1, f1 []float64) (float64, int) {
	d0 := rmsScaled(y0, y0, rtol, atol)
	d1 := rmsScaled(f0, y0, rtol, atol)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	for i := range y0 {
		y1[i] = y0[i] + dir*h0*f0[i]
	}
	f(t0+dir*h0, y1, f1)
	for i := range f1 {
		f1[i] -= f0[i]
	}
	d2 := rmsScaled(f1, y0, rtol, atol) / h0
	var h1 float64
	if m := math.Max(d1, d2); m <= 1e-15 || math.IsNaN(m) {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/m, 1/float64(errOrder+1))
	}
	return math.Min(100*h0, h1), 1
}

func firstNonFinite(v []float64) int {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return i
		}
	}
	return -1
}

// Integrate solves dy/dt = f(t, y) from t0 to t1 in place with
// Dormand–Prince 5(4), the PI controller and tolerances rtol, atol, and
// returns the number of evaluations of f. Its signature matches
// likelihood.Integrator. Errors are Solve's: tolerances that are not finite
// and > 0, a non-finite interval, or an error wrapping ErrStepUnderflow,
// ErrMaxSteps or ErrNonFinite.
func Integrate(f func(t float64, y, dy []float64), t0, t1 float64, y []float64, rtol, atol float64) (int, error) {
	st, err := Solve(f, t0, t1, y, Options{RTol: rtol, ATol: atol})
	return st.NFE, err
}
