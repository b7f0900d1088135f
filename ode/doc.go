// Package ode integrates ordinary differential equations dy/dt = f(t, y)
// over a flat []float64 state with an adaptive embedded Runge–Kutta method.
//
// The parts are kept apart as in diffrax: a Stepper (Dormand–Prince 5(4),
// first-same-as-last) takes one step and returns an error estimate, a
// Controller (PI or plain I) turns the RMS-normalised error
//
//	‖e‖ = sqrt(mean_i (e_i / (atol + rtol·max(|y_i|, |y'_i|)))²)
//
// into accept/reject and the next step size, and Solve drives them from t0 to
// t1 (either direction) with Hairer's initial step selection (as in scipy's
// solve_ivp), a maximum-steps guard, NFE counting and a clear error on
// step-size underflow or a non-finite right-hand side.
//
// Integrate adapts Solve to the signature used by package likelihood.
package ode
