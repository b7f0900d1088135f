package sampler

import (
	"errors"
	"fmt"
	"math"
	"time"

	"phasespace/ode"
	"phasespace/score"
	"phasespace/sde"
)

// Method selects the integrator of the reverse dynamics.
type Method int

const (
	EM    Method = iota + 1 // Euler–Maruyama on the reverse SDE
	SSCS                    // symmetric splitting CLD sampler (spec C.4/C.5)
	ODE                     // adaptive probability-flow ODE
	GDDIM                   // gDDIM exponential-integrator multistep ODE sampler (gddim.go)
)

// String returns the command-line name of m.
func (m Method) String() string {
	switch m {
	case EM:
		return "em"
	case SSCS:
		return "sscs"
	case ODE:
		return "ode"
	case GDDIM:
		return "gddim"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod maps "em", "sscs", "ode" and "gddim" to a Method.
func ParseMethod(s string) (Method, error) {
	for _, m := range []Method{EM, SSCS, ODE, GDDIM} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown sampler %q (valid: em, sscs, ode, gddim)", s)
}

// Striding selects the discretisation of [ε, T] for EM and SSCS.
type Striding int

const (
	Uniform   Striding = iota + 1 // t_k = T − (T−ε)k/K ("US")
	Quadratic                     // t_k = ε + (T−ε)(1 − k/K)² ("QS"): fine steps near the data
)

// String returns "uniform" or "quadratic".
func (s Striding) String() string {
	switch s {
	case Uniform:
		return "uniform"
	case Quadratic:
		return "quadratic"
	}
	return fmt.Sprintf("Striding(%d)", int(s))
}

// ParseStriding maps "uniform" and "quadratic" to a Striding.
func ParseStriding(s string) (Striding, error) {
	switch s {
	case "uniform":
		return Uniform, nil
	case "quadratic":
		return Quadratic, nil
	}
	return 0, fmt.Errorf("unknown striding %q (valid: uniform, quadratic)", s)
}

// Config describes one sampling run. Zero fields take the defaults noted.
type Config struct {
	Process *sde.Process // required
	Model   score.Model  // required; its Dim() is the data dimension
	Method  Method       // required: EM, SSCS, ODE or GDDIM

	// NFE is the total number of score evaluations for EM, SSCS and GDDIM,
	// including the denoising step (spec C.2): N−1 steps plus denoising, or
	// N steps with NoDenoise (each gDDIM step evaluates the score once; its
	// lower-order warm-start steps cost nothing extra). Ignored by ODE,
	// whose cost is set by the tolerances.
	NFE      int
	Striding Striding // default Uniform

	// Order is gDDIM's multistep order q ∈ {1, 2, 3} (default 3): ε is
	// extrapolated by the Lagrange polynomial through the last q
	// evaluations. It must be 0 for the other methods.
	Order int
	// Param is gDDIM's square root K_t of Σ_t in s = −K_t⁻ᵀε (default
	// ParamR). It must be 0 for the other methods.
	Param Param
	Eps   float64 // smallest forward time ε (default 1e-3)
	// NoDenoise turns off the final denoising step (on by default: one
	// deterministic Euler step of the reverse-SDE drift from ε to 0,
	// counted as one NFE).
	NoDenoise  bool
	RTol, ATol float64 // ODE tolerances (default 1e-5 each)

	// ReferenceSSCS reproduces two quirks of the reference SSCS code (spec
	// C.4): the score of the S step is evaluated at the start time of the
	// step instead of its midpoint, and both A half-steps integrate β over
	// the first half of the step. Off by default.
	ReferenceSSCS bool

	Seed uint64
	// FirstIndex is the index of the first sample: the noise of sample i of
	// this call is keyed by FirstIndex + i, so a large run can be split into
	// batches that reproduce it bit for bit (EM, SSCS).
	FirstIndex int

	// Callback, if set, is called with the prior state, after every step
	// and after denoising. It must not modify or retain the slices.
	Callback func(Step)
}

// Step is the state passed to Config.Callback.
type Step struct {
	Index   int       // 0 for the prior, k after the k-th step
	Time    float64   // forward time of the state (T for the prior, 0 after denoising)
	X, V    []float64 // positions and velocities, row-major n×d (V nil for VP)
	NFE     int       // score evaluations so far
	Denoise bool      // true for the state after the denoising step
}

// Stats reports the cost of a run.
type Stats struct {
	NFE      int           // score evaluations, denoising included
	Steps    int           // integration steps (accepted steps for ODE), denoising excluded
	Rejected int           // rejected ODE steps
	Wall     time.Duration // wall-clock time
}

// SamplesPerSecond returns n divided by the wall time.
func (s Stats) SamplesPerSecond(n int) float64 {
	if s.Wall <= 0 {
		return math.Inf(1)
	}
	return float64(n) / s.Wall.Seconds()
}

const (
	defaultEps = 1e-3
	defaultTol = 1e-5
)

// ErrNonFinite is wrapped by the error returned when the state or the score
// becomes NaN or ±Inf.
var ErrNonFinite = errors.New("sampler: non-finite value")

// normalize fills defaults and validates c.
func (c *Config) normalize(n int) error {
	if c.Process == nil {
		return errors.New("sampler: Config.Process is nil")
	}
	if c.Model == nil {
		return errors.New("sampler: Config.Model is nil")
	}
	if c.Model.Dim() < 1 {
		return fmt.Errorf("sampler: model dimension %d, want >= 1", c.Model.Dim())
	}
	if n < 1 {
		return fmt.Errorf("sampler: n = %d samples, want >= 1", n)
	}
	if c.FirstIndex < 0 {
		return fmt.Errorf("sampler: FirstIndex = %d, want >= 0", c.FirstIndex)
	}
	switch c.Method {
	case EM, SSCS, ODE:
		if c.Order != 0 || c.Param != 0 {
			return fmt.Errorf("sampler: Order = %d, Param = %v apply to GDDIM only, not %v", c.Order, c.Param, c.Method)
		}
	case GDDIM:
		if c.Order == 0 {
			c.Order = defaultGDDIMOrder
		}
		if c.Order < 1 || c.Order > maxGDDIMOrder {
			return fmt.Errorf("sampler: gddim order %d, want 1, 2 or 3", c.Order)
		}
		if c.Param == 0 {
			c.Param = ParamR
		}
		if c.Param != ParamR && c.Param != ParamL {
			return fmt.Errorf("sampler: gddim parameterisation %v, want ParamR or ParamL", c.Param)
		}
	default:
		return fmt.Errorf("sampler: method %v, want EM, SSCS, ODE or GDDIM", c.Method)
	}
	if c.Striding == 0 {
		c.Striding = Uniform
	}
	if c.Striding != Uniform && c.Striding != Quadratic {
		return fmt.Errorf("sampler: striding %v, want Uniform or Quadratic", c.Striding)
	}
	if c.Eps == 0 {
		c.Eps = defaultEps
	}
	if !(c.Eps > 0 && c.Eps < c.Process.T) {
		return fmt.Errorf("sampler: eps = %v, want 0 < eps < %v", c.Eps, c.Process.T)
	}
	if c.Method != ODE {
		if min := c.minNFE(); c.NFE < min {
			return fmt.Errorf("sampler: nfe = %d, want >= %d for %v (%s)", c.NFE, min, c.Method, c.denoiseWord())
		}
		return nil
	}
	if c.RTol == 0 {
		c.RTol = defaultTol
	}
	if c.ATol == 0 {
		c.ATol = defaultTol
	}
	if !(c.RTol > 0 && c.RTol < 1) || !(c.ATol > 0 && c.ATol < 1) {
		return fmt.Errorf("sampler: rtol = %v, atol = %v: want values in (0, 1)", c.RTol, c.ATol)
	}
	return nil
}

func (c *Config) minNFE() int {
	if c.NoDenoise {
		return 1
	}
	return 2
}

func (c *Config) denoiseWord() string {
	if c.NoDenoise {
		return "no denoising: one step per NFE"
	}
	return "one step plus the denoising step"
}

// Steps returns the number of EM, SSCS or GDDIM steps that NFE buys: NFE−1 with
// denoising, NFE without.
func (c *Config) Steps() int {
	if c.NoDenoise {
		return c.NFE
	}
	return c.NFE - 1
}

// odeOptions returns the solver options (used by the ODE method).
func (c *Config) odeOptions() ode.Options {
	return ode.Options{RTol: c.RTol, ATol: c.ATol}
}
