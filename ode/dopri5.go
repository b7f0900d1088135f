package ode

// Func is the right-hand side of dy/dt = f(t, y); it writes f(t, y) into dy
// (len(dy) == len(y)) and must not retain either slice.
type Func func(t float64, y, dy []float64)

// Stepper takes one step of an embedded Runge–Kutta pair.
type Stepper interface {
	// Order returns the order of the method that propagates the solution.
	Order() int
	// ErrorOrder returns the order of the embedded error estimate; the
	// controller's exponents are divided by ErrorOrder()+1.
	ErrorOrder() int
	// Init prepares the stepper for states of length n at (t, y) and returns
	// the number of evaluations of f it made.
	Init(f Func, t float64, y []float64) int
	// Step proposes y1 ≈ y(t+h) from y = y(t) and writes it and the error
	// estimate into y1 and yerr. It returns the number of evaluations of f.
	Step(f Func, t, h float64, y, y1, yerr []float64) int
	// Accept tells the stepper that the last proposal was accepted (for
	// first-same-as-last reuse of the final stage).
	Accept()
	// Derivative returns f(t, y) at the current accepted point.
	Derivative() []float64
}

// Dormand–Prince 5(4) tableau (Dormand & Prince 1980; Hairer, Nørsett &
// Wanner, Solving ODEs I, Table 5.2).
const (
	dpC2, dpC3, dpC4, dpC5 = 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9

	dpA21 = 1.0 / 5

	dpA31, dpA32 = 3.0 / 40, 9.0 / 40

	dpA41, dpA42, dpA43 = 44.0 / 45, -56.0 / 15, 32.0 / 9

	dpA51, dpA52, dpA53, dpA54 = 19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729

	dpA61, dpA62, dpA63, dpA64, dpA65 = 9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656

	dpB1, dpB3, dpB4, dpB5, dpB6 = 35.0 / 384, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84

	// dpE = b − b̂ (fifth minus fourth order weights).
	dpE1, dpE3, dpE4, dpE5, dpE6, dpE7 = 71.0 / 57600, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40
)

// DormandPrince5 is the Dormand–Prince 5(4) pair with first-same-as-last:
// six evaluations of f per step attempt (the seventh stage of an accepted
// step is the first of the next). It is scipy's RK45 and diffrax's Dopri5.
// The zero value is ready to use.
type DormandPrince5 struct {
	k        [7][]float64
	tmp      []float64
	accepted bool
}

// Order returns 5.
func (*DormandPrince5) Order() int { return 5 }

// ErrorOrder returns 4.
func (*DormandPrince5) ErrorOrder() int { return 4 }

// Init evaluates f(t, y) once.
func (s *DormandPrince5) Init(f Func, t float64, y []float64) int {
	n := len(y)
	for i := range s.k {
		if len(s.k[i]) != n {
			s.k[i] = make([]float64, n)
		}
	}
	if len(s.tmp) != n {
		s.tmp = make([]float64, n)
	}
	f(t, y, s.k[0])
	return 1
}

// Derivative returns f at the last accepted point.
func (s *DormandPrince5) Derivative() []float64 { return s.k[0] }

// Step makes six evaluations of f.
func (s *DormandPrince5) Step(f Func, t, h float64, y, y1, yerr []float64) int {
	k, tmp := &s.k, s.tmp
	for i := range y {
		tmp[i] = y[i] + h*dpA21*k[0][i]
	}
	f(t+dpC2*h, tmp, k[1])
	for i := range y {
		tmp[i] = y[i] + h*(dpA31*k[0][i]+dpA32*k[1][i])
	}
	f(t+dpC3*h, tmp, k[2])
	for i := range y {
		tmp[i] = y[i] + h*(dpA41*k[0][i]+dpA42*k[1][i]+dpA43*k[2][i])
	}
	f(t+dpC4*h, tmp, k[3])
	for i := range y {
		tmp[i] = y[i] + h*(dpA51*k[0][i]+dpA52*k[1][i]+dpA53*k[2][i]+dpA54*k[3][i])
	}
	f(t+dpC5*h, tmp, k[4])
	for i := range y {
		tmp[i] = y[i] + h*(dpA61*k[0][i]+dpA62*k[1][i]+dpA63*k[2][i]+dpA64*k[3][i]+dpA65*k[4][i])
	}
	f(t+h, tmp, k[5])
	for i := range y {
		y1[i] = y[i] + h*(dpB1*k[0][i]+dpB3*k[2][i]+dpB4*k[3][i]+dpB5*k[4][i]+dpB6*k[5][i])
	}
	f(t+h, y1, k[6])
	for i := range y {
		yerr[i] = h * (dpE1*k[0][i] + dpE3*k[2][i] + dpE4*k[3][i] + dpE5*k[4][i] + dpE6*k[5][i] + dpE7*k[6][i])
	}
	return 6
}

// Accept makes the last stage the first stage of the next step.
func (s *DormandPrince5) Accept() { s.k[0], s.k[6] = s.k[6], s.k[0] }
