package ode

import "math"

// Controller decides whether a step is accepted and how the step size
// changes, from the normalised error estimate (1 = exactly on tolerance).
type Controller interface {
	// Reset clears any history before a new solve.
	Reset()
	// Adapt returns whether the step with normalised error errNorm is
	// accepted and the factor by which to multiply the step size next. k is
	// the stepper's ErrorOrder()+1. A non-finite errNorm must be rejected.
	Adapt(errNorm float64, k int) (accept bool, factor float64)
}

// PI is the proportional–integral step-size controller (Gustafsson; Hairer
// & Wanner, Solving ODEs II, §IV.2; diffrax's PIDController without the D
// term). For an accepted step with error e_n and previous accepted error
// e_{n−1}, the factor is
//
//	Safety · e_n^{−(PCoeff+ICoeff)/k} · e_{n−1}^{PCoeff/k},
//
// clipped to [MinFactor, MaxFactor]. A rejected step shrinks by
// max(MinFactor, Safety·e_n^{−1/k}), and the step after a rejection may not
// grow. PCoeff = 0, ICoeff = 1 is the classical I controller (scipy's
// RK45). Zero fields take the defaults of DefaultPI.
type PI struct {
	Safety, MinFactor, MaxFactor float64
	PCoeff, ICoeff               float64

	prev         float64 // previous accepted error (0: none yet)
	lastRejected bool
}

// DefaultPI returns Hairer's DOPRI5 controller: safety 0.9, factors in
// [0.2, 10], β = 0.04 (PCoeff = 0.2, ICoeff = 0.65 for k = 5, i.e. the
// exponents 0.17 and 0.04 of dopri5.f).
func DefaultPI() *PI {
	return &PI{Safety: 0.9, MinFactor: 0.2, MaxFactor: 10, PCoeff: 0.2, ICoeff: 0.65}
}

// IController returns the plain integral controller used by scipy's RK45
// (safety 0.9, factors in [0.2, 10]).
func IController() *PI {
	return &PI{Safety: 0.9, MinFactor: 0.2, MaxFactor: 10, PCoeff: 0, ICoeff: 1}
}

// Reset forgets the error history.
func (c *PI) Reset() { c.prev, c.lastRejected = 0, false }

// Adapt implements Controller.
func (c *PI) Adapt(errNorm float64, k int) (bool, float64) {
	kf := float64(k)
	if math.IsNaN(errNorm) || math.IsInf(errNorm, 0) {
		c.lastRejected = true
		return false, c.MinFactor
	}
	if errNorm > 1 {
		c.lastRejected = true
		return false, math.Max(c.MinFactor, c.Safety*math.Pow(errNorm, -1/kf))
	}
	var fac float64
	if errNorm == 0 {
		fac = c.MaxFactor
	} else {
		fac = c.Safety * math.Pow(errNorm, -(c.PCoeff+c.ICoeff)/kf)
		if c.prev > 0 && c.PCoeff != 0 {
			fac *= math.Pow(c.prev, c.PCoeff/kf)
		}
	}
	fac = math.Min(c.MaxFactor, math.Max(c.MinFactor, fac))
	if c.lastRejected {
		fac = math.Min(fac, 1)
	}
	c.prev = math.Max(errNorm, 1e-4) // as in dopri5.f: facold ≥ 1e-4
	c.lastRejected = false
	return true, fac
}
