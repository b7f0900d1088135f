package sde

import (
	"fmt"
	"math"
)

// Schedule is the linear noise schedule β(t) = Beta0 + Beta1·t on [0, T].
// CLD's "beta0, beta1" are (intercept, slope); Song's VP (β_min, β_max) is
// Schedule{β_min, β_max − β_min}; PSLD's constant β is Schedule{β, 0}.
type Schedule struct {
	Beta0 float64 // intercept β(0)
	Beta1 float64 // slope
}

// Beta returns β(t).
func (s Schedule) Beta(t float64) float64 { return s.Beta0 + s.Beta1*t }

// Integral returns B(t) = ∫₀ᵗ β(s) ds.
func (s Schedule) Integral(t float64) float64 { return s.Beta0*t + 0.5*s.Beta1*t*t }

// Between returns B(t1) − B(t0) = ∫_{t0}^{t1} β, computed without
// cancellation as (t1 − t0)·β((t0 + t1)/2).
func (s Schedule) Between(t0, t1 float64) float64 { return (t1 - t0) * s.Beta((t0+t1)/2) }

// Validate checks that Beta0 and Beta1 are finite, that β is positive on
// [0, T] (so B(t) = ∫₀ᵗβ is increasing and ≥ 0 there) and that B(T) is
// finite. Any such schedule is representable: the kernels are evaluated
// without overflow for every finite B (they tend to the stationary law).
// The error starts with "sde: " and names the parameter (Beta0, Beta1) and
// the valid range.
func (s Schedule) Validate(T float64) error {
	if err := s.validate(T); err != nil {
		return fmt.Errorf("sde: %w", err)
	}
	return nil
}

// validate is Validate with errors for the caller to prefix.
func (s Schedule) validate(T float64) error {
	if !isFinite(s.Beta0) {
		return fmt.Errorf("Beta0 = %v: want a finite β(0) > 0", s.Beta0)
	}
	if !isFinite(s.Beta1) {
		return fmt.Errorf("Beta1 = %v: want a finite slope with β(T) = Beta0 + Beta1·T > 0", s.Beta1)
	}
	if !(s.Beta0 > 0) {
		return fmt.Errorf("Beta0 = %v: β(0) must be > 0", s.Beta0)
	}
	if end := s.Beta(T); !(end > 0) {
		return fmt.Errorf("Beta0 + Beta1·T = %v: β(T) must be > 0, i.e. Beta1 > %v (Beta1 = %v)", end, -s.Beta0/T, s.Beta1)
	} else if math.IsInf(end, 1) {
		return fmt.Errorf("Beta0 + Beta1·T overflows: β(T) must be finite (Beta0 = %v, Beta1 = %v)", s.Beta0, s.Beta1)
	}
	if b := s.Integral(T); !isFinite(b) {
		return fmt.Errorf("∫₀ᵀβ = Beta0·T + Beta1·T²/2 = %v overflows (Beta0 = %v, Beta1 = %v): want |Beta0|, |Beta1| ≲ 1e307", b, s.Beta0, s.Beta1)
	}
	return nil
}
