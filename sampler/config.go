package sampler

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"phasespace/ode"
	"phasespace/score"
	"phasespace/sde"
)

// Method selects the integrator of the reverse dynamics.
type Method int

const (
	EM    Method = iota + 1 // Euler–Maruyama on the reverse SDE
	SSCS                    // symmetric splitting sampler (Dockhorn et al. 2022, §3.3; Pandey & Mandt 2023, Eq. 12)
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
// Any other string is an error naming the valid values (em, sscs, ode, gddim).
func ParseMethod(s string) (Method, error) {
	for _, m := range []Method{EM, SSCS, ODE, GDDIM} {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("sampler: unknown sampler %q (valid: em, sscs, ode, gddim)", s)
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
// Any other string is an error naming the valid values (uniform, quadratic).
func ParseStriding(s string) (Striding, error) {
	switch s {
	case "uniform":
		return Uniform, nil
	case "quadratic":
		return Quadratic, nil
	}
	return 0, fmt.Errorf("sampler: unknown striding %q (valid: uniform, quadratic)", s)
}

// ScoreTime is the time at which the S step of SSCS evaluates the score and
// β. In the Strang splitting A(Δ/2) – S(Δ) – A(Δ/2) (Dockhorn et al. 2022,
// §3.3; Pandey & Mandt 2023, Eq. 12) S acts on the
// state after the first half-step, which belongs to the step midpoint t_m;
// the CLD and PSLD reference codes evaluate the score at the step start t0.
// The midpoint is the symmetric choice that Strang splitting prescribes
// for a smooth, time-dependent score (on the Gaussian N(0, 0.5) at 20 NFE
// it gives Var[x] closer to 0.5); the start time reads the
// score half a step earlier in the reverse process, where the marginal is
// wider and the score less stiff, which tempers the explicit Euler S step
// on narrow modes at coarse steps: on diamond and 8gaussians at 20–50 NFE
// with constant β it lowers MMD² several-fold (CLD, diamond, quadratic
// striding, 50 NFE: 1.1·10⁻³ against 3.3·10⁻³). docs/samplers.md ("SSCS
// conventions") has the table and the rule that chose the default.
type ScoreTime int

const (
	ScoreAtMidpoint ScoreTime = iota + 1 // score and β at t_m = t0 − Δ/2
	ScoreAtStart                         // score and β at the step start t0 (the reference codes; default)
)

// HalfStepBeta is how the two exact A half-steps of SSCS integrate β.
// Each half-step covers half of the step, so the exact propagator of the
// second one integrates β over [t1, t_m] (BetaPerHalf); the reference codes
// reuse the integral of the first half, ∫_{t_m}^{t0} β, for both
// (BetaFirstHalfTwice). For constant β the two coincide. For a growing β
// the reference rule over-integrates the second half by Δ²β′/4 per step,
// pulling each step slightly further toward the stationary law, which
// counteracts the S step's over-contraction of narrow modes: in the measured
// table it is better beyond noise in 43 cells at linear β and worse in 3
// (docs/samplers.md, "SSCS conventions").
type HalfStepBeta int

const (
	BetaPerHalf        HalfStepBeta = iota + 1 // h₁ = ∫_{t_m}^{t0} β, h₂ = ∫_{t1}^{t_m} β
	BetaFirstHalfTwice                         // h₁ for both half-steps (the reference codes; default)
)

// DefaultScoreTime and DefaultHalfStepBeta are the SSCS conventions that
// the zero Config selects, chosen from the measured table in
// docs/samplers.md ("SSCS conventions"): score at the step start and the
// first half's β integral for both half-steps, as in the reference codes.
const (
	DefaultScoreTime    = ScoreAtStart
	DefaultHalfStepBeta = BetaFirstHalfTwice
)

// String returns the command-line name of st: "midpoint" or "start".
func (st ScoreTime) String() string {
	switch st {
	case ScoreAtMidpoint:
		return "midpoint"
	case ScoreAtStart:
		return "start"
	}
	return fmt.Sprintf("ScoreTime(%d)", int(st))
}

// ParseScoreTime maps "midpoint" and "start" to a ScoreTime.
// Any other string is an error naming the valid values (midpoint, start).
func ParseScoreTime(s string) (ScoreTime, error) {
	for _, st := range []ScoreTime{ScoreAtMidpoint, ScoreAtStart} {
		if s == st.String() {
			return st, nil
		}
	}
	return 0, fmt.Errorf("sampler: unknown SSCS score time %q (valid: midpoint, start)", s)
}

// String returns the command-line name of hb: "per-half" or "first-half".
func (hb HalfStepBeta) String() string {
	switch hb {
	case BetaPerHalf:
		return "per-half"
	case BetaFirstHalfTwice:
		return "first-half"
	}
	return fmt.Sprintf("HalfStepBeta(%d)", int(hb))
}

// ParseHalfStepBeta maps "per-half" and "first-half" to a HalfStepBeta.
// Any other string is an error naming the valid values (per-half, first-half).
func ParseHalfStepBeta(s string) (HalfStepBeta, error) {
	for _, hb := range []HalfStepBeta{BetaPerHalf, BetaFirstHalfTwice} {
		if s == hb.String() {
			return hb, nil
		}
	}
	return 0, fmt.Errorf("sampler: unknown SSCS half-step β rule %q (valid: per-half, first-half)", s)
}

// Config describes one sampling run. Zero fields take the defaults noted.
type Config struct {
	Process *sde.Process // required
	Model   score.Model  // required; its Dim() is the data dimension
	Method  Method       // required: EM, SSCS, ODE or GDDIM

	// NFE is the total number of score evaluations for EM, SSCS and GDDIM,
	// including the denoising step (docs/samplers.md, NFE accounting): N−1 steps plus denoising, or
	// N steps with NoDenoise (each gDDIM step evaluates the score once; its
	// lower-order warm-start steps cost nothing extra). Ignored by ODE,
	// whose cost is set by the tolerances.
	NFE      int
	Striding Striding // default Uniform; Quadratic for GDDIM

	// Order is gDDIM's multistep order q ∈ {1, 2, 3} (default 3): ε is
	// extrapolated by the Lagrange polynomial through the last q
	// evaluations. It must be 0 for the other methods.
	Order int
	// Param is gDDIM's square root K_t of Σ_t in s = −K_t⁻ᵀε (default
	// sde.FactorR). It must be 0 for the other methods.
	Param sde.Factor
	Eps   float64 // smallest forward time ε (default 1e-3)
	// NoDenoise turns off the final denoising step (on by default: one
	// deterministic Euler step of the reverse-SDE drift from ε to 0,
	// counted as one NFE).
	NoDenoise  bool
	RTol, ATol float64 // ODE tolerances (default 1e-5 each)

	// SSCSScore and SSCSBeta choose the two conventions of the SSCS step
	// that the splitting leaves open (see ScoreTime, HalfStepBeta and the
	// measured table in docs/samplers.md, "SSCS conventions"). The zero
	// values take the defaults, DefaultScoreTime and DefaultHalfStepBeta.
	SSCSScore ScoreTime
	SSCSBeta  HalfStepBeta

	Seed uint64
	// FirstIndex is the index of the first sample: the noise of sample i of
	// this call is keyed by FirstIndex + i, so a large run can be split into
	// batches that reproduce it bit for bit (EM, SSCS, GDDIM; SampleChunks).
	FirstIndex int

	// Callback, if set, is called with the prior state, after every step
	// and after denoising. It must not modify or retain the slices.
	Callback func(Step)
}

// Step is the state passed to Config.Callback.
type Step struct {
	Index   int       // 0 for the prior, k after the k-th step
	First   int       // global index of row 0 of X and V (Config.FirstIndex)
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

// MaxNFE bounds Config.NFE.
const MaxNFE = 1_000_000

// ConfigError is a Config field out of range: Field is its name (Order,
// Eps, NFE) and Err says the value and what is valid.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string {
	return "sampler: " + strings.ToLower(e.Field) + " " + e.Err.Error()
}
func (e *ConfigError) Unwrap() error { return e.Err }

// FieldError returns the field and what was wrong with it.
func (e *ConfigError) FieldError() (string, error) { return e.Field, e.Err }

// Check validates c for a run of n samples as Sample does, without
// changing c: nil, an error naming what is missing, or a *ConfigError.
func (c Config) Check(n int) error {
	if err := c.normalize(n); err != nil {
		return err
	}
	return c.Process.Validate()
}

// ErrNonFinite is wrapped by the error returned when the state or the score
// becomes NaN or ±Inf.
var ErrNonFinite = errors.New("sampler: non-finite value")

// striding is c.Striding, or its default for c.Method when zero: Quadratic
// for GDDIM (its accuracy at 10–30 NFE needs it, docs/samplers.md), else
// Uniform.
func (c *Config) striding() Striding {
	switch {
	case c.Striding != 0:
		return c.Striding
	case c.Method == GDDIM:
		return Quadratic
	}
	return Uniform
}

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
			return &ConfigError{Field: "Order", Err: fmt.Errorf("= %d: want 1, 2 or 3 for gddim", c.Order)}
		}
		if c.Param == 0 {
			c.Param = sde.FactorR
		}
		if c.Param != sde.FactorR && c.Param != sde.FactorL {
			return fmt.Errorf("sampler: gddim parameterisation %v, want R (sde.FactorR) or L (sde.FactorL)", c.Param)
		}
	default:
		return fmt.Errorf("sampler: method %v, want EM, SSCS, ODE or GDDIM", c.Method)
	}
	c.Striding = c.striding()
	if c.Striding != Uniform && c.Striding != Quadratic {
		return fmt.Errorf("sampler: striding %v, want Uniform or Quadratic", c.Striding)
	}
	if c.SSCSScore == 0 {
		c.SSCSScore = DefaultScoreTime
	}
	if c.SSCSScore != ScoreAtMidpoint && c.SSCSScore != ScoreAtStart {
		return fmt.Errorf("sampler: SSCSScore %v, want ScoreAtMidpoint or ScoreAtStart", c.SSCSScore)
	}
	if c.SSCSBeta == 0 {
		c.SSCSBeta = DefaultHalfStepBeta
	}
	if c.SSCSBeta != BetaPerHalf && c.SSCSBeta != BetaFirstHalfTwice {
		return fmt.Errorf("sampler: SSCSBeta %v, want BetaPerHalf or BetaFirstHalfTwice", c.SSCSBeta)
	}
	if c.Eps == 0 {
		c.Eps = defaultEps
	}
	if !(c.Eps > 0 && c.Eps < c.Process.T) {
		return &ConfigError{Field: "Eps", Err: fmt.Errorf("= %v: want a value in (0, %v)", c.Eps, c.Process.T)}
	}
	if c.Method != ODE {
		if min := c.minNFE(); c.NFE < min || c.NFE > MaxNFE {
			return &ConfigError{Field: "NFE", Err: fmt.Errorf("= %d: want %d..%d for %v (%s)", c.NFE, min, MaxNFE, c.Method, c.denoiseWord())}
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
