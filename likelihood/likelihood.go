package likelihood

import (
	"errors"
	"fmt"
	"math"

	"phasespace/internal/parallel"
	"phasespace/mixture"
	"phasespace/ode"
	"phasespace/rng"
	"phasespace/score"
	"phasespace/sde"
)

// Integrator solves dy/dt = f(t, y) from t0 to t1 in place with an adaptive
// method at the given tolerances and returns the number of f evaluations.
type Integrator func(f func(t float64, y, dy []float64), t0, t1 float64, y []float64, rtol, atol float64) (nfe int, err error)

// Divergence selects how ∇·f̃ is computed.
type Divergence int

const (
	Exact      Divergence = iota + 1 // one VJP per state coordinate
	Hutchinson                       // unbiased K-probe estimate
)

// Probe selects the distribution of Hutchinson probes.
type Probe int

const (
	Rademacher Probe = iota + 1
	Gaussian
)

// Config describes one likelihood evaluation.
type Config struct {
	Process *sde.Process
	Model   score.VJPModel
	Solve   Integrator

	Eps        float64 // starting time (default 1e-5)
	RTol, ATol float64 // solver tolerances (default 1e-5 each)
	Divergence Divergence
	Probe      Probe
	Probes     int // Hutchinson probes per sample (default 1)
	// IW is the number K of initial-velocity draws per data point (CLD,
	// PSLD): 1 gives the plain augmented bound, K > 1 the importance-weighted
	// bound. Ignored for VP.
	IW   int
	Seed uint64
	// FirstIndex is the index of the first point: the initial velocities
	// and probes of point i of this call are keyed by FirstIndex + i, so a
	// large set can be evaluated in chunks that draw the same noise. (The
	// solver's step sizes are those of the chunk: see evaluate.NLLConfig.)
	FirstIndex int
	// Terminal, if set, replaces the prior log-density log p_T(x, v) at T
	// (tests use the exact marginal to isolate the ODE transport).
	Terminal func(x, v []float64) float64
}

func (c *Config) defaults() error {
	if c.Process == nil || c.Model == nil || c.Solve == nil {
		return errors.New("likelihood: Process, Model and Solve are required")
	}
	if err := c.Process.Validate(); err != nil {
		return fmt.Errorf("likelihood: Config.Process: %w", err)
	}
	if c.Eps == 0 {
		c.Eps = 1e-5
	}
	if !(c.Eps > 0 && c.Eps < c.Process.T) {
		return fmt.Errorf("likelihood: eps = %v, want 0 < eps < %v", c.Eps, c.Process.T)
	}
	if c.RTol == 0 {
		c.RTol = 1e-5
	}
	if c.ATol == 0 {
		c.ATol = 1e-5
	}
	if !(c.RTol > 0) || !(c.ATol > 0) {
		return fmt.Errorf("likelihood: rtol %v, atol %v: want > 0", c.RTol, c.ATol)
	}
	if c.Divergence == 0 {
		c.Divergence = Exact
	}
	switch c.Divergence {
	case Exact, Hutchinson:
	default:
		return fmt.Errorf("likelihood: divergence %d, want Exact (%d) or Hutchinson (%d)", c.Divergence, Exact, Hutchinson)
	}
	if c.Probe == 0 {
		c.Probe = Rademacher
	}
	switch c.Probe {
	case Rademacher, Gaussian:
	default:
		return fmt.Errorf("likelihood: probe %d, want Rademacher (%d) or Gaussian (%d)", c.Probe, Rademacher, Gaussian)
	}
	if c.Probes == 0 {
		c.Probes = 1
	}
	if c.Probes < 0 {
		return fmt.Errorf("likelihood: %d probes, want >= 1", c.Probes)
	}
	if c.IW == 0 || c.Process.Order() == 1 {
		c.IW = 1
	}
	if c.FirstIndex < 0 {
		return fmt.Errorf("likelihood: FirstIndex = %d, want >= 0", c.FirstIndex)
	}
	if c.IW < 0 {
		return fmt.Errorf("likelihood: iw = %d, want >= 1", c.IW)
	}
	return nil
}

// Result holds per-point negative log-likelihoods (or bounds) and summaries.
type Result struct {
	NLL  []float64 // nats per data point
	Mean float64   // mean NLL
	SE   float64   // standard error of the mean over data points (includes probe noise)
	NFE  int       // score evaluations used by the solver
}

// NLL evaluates −log p(x) (VP) or its augmented bound (CLD, PSLD) for the
// n×d data points x (row-major, d = c.Model.Dim()), in nats per point, by
// integrating the probability-flow ODE (Song et al. 2021, Eq. 13, with the
// instantaneous change of variables of Chen et al. 2018;
// docs/method.md, Likelihood). It returns an error for an invalid Config
// (missing Process, Model or Solve, eps outside (0, T), non-positive
// tolerances, an unknown divergence or probe), for x that is empty or not a
// multiple of d, and when the solve fails; a non-finite score is reported as
// such, wrapping the solver's error (ode.ErrNonFinite, ErrStepUnderflow,
// ErrMaxSteps).
func NLL(c Config, x []float64) (Result, error) {
	if err := c.defaults(); err != nil {
		return Result{}, err
	}
	p := c.Process
	d := c.Model.Dim()
	if d < 1 || len(x)%d != 0 || len(x) == 0 {
		return Result{}, fmt.Errorf("likelihood: %d values are not a non-empty batch of dimension %d", len(x), d)
	}
	n := len(x) / d
	k := c.IW
	m := n * k // replicated states
	order := p.Order()
	// State layout: x (m·d) | v (m·d, order 2) | Δ (m).
	nd := m * d
	y := make([]float64, order*nd+m)
	q0 := make([]float64, m) // log q(v₀) per replicated state
	sv0 := math.Sqrt(p.InitVelVar * p.Mass())
	for i := 0; i < n; i++ {
		for r := 0; r < k; r++ {
			row := i*k + r
			copy(y[row*d:(row+1)*d], x[i*d:(i+1)*d])
			if order == 2 {
				g := rng.New(c.Seed, rng.PurposeVelocity, uint64(c.FirstIndex+i), uint64(r))
				lq := 0.0
				for j := 0; j < d; j++ {
					v := sv0 * g.NormFloat64()
					y[nd+row*d+j] = v
					lq -= 0.5*v*v/(sv0*sv0) + 0.5*math.Log(2*math.Pi*sv0*sv0)
				}
				q0[row] = lq
			}
		}
	}
	probes := c.makeProbes(c.FirstIndex*k, m, d, order)
	mon := &driftMonitor{f: c.drift(m, d, probes), d: d, k: k, nd: nd, order: order}
	nfe, err := c.Solve(mon.eval, c.Eps, p.T, y, c.RTol, c.ATol)
	if err != nil {
		return Result{}, mon.explain(err)
	}
	res := Result{NLL: make([]float64, n), NFE: nfe}
	lw := make([]float64, k)
	for i := 0; i < n; i++ {
		for r := 0; r < k; r++ {
			row := i*k + r
			var v []float64
			if order == 2 {
				v = y[nd+row*d : nd+(row+1)*d]
			}
			var logpT float64
			if c.Terminal != nil {
				logpT = c.Terminal(y[row*d:(row+1)*d], v)
			} else {
				logpT = p.PriorLogProb(y[row*d:(row+1)*d], v)
			}
			logp := logpT + y[order*nd+row]
			lw[r] = logp - q0[row]
		}
		res.NLL[i] = -(mixture.LogSumExp(lw) - math.Log(float64(k)))
		if math.IsNaN(res.NLL[i]) || math.IsInf(res.NLL[i], 0) {
			return Result{}, fmt.Errorf("likelihood: NLL of point %d is %v: the score model produced non-finite values", i, res.NLL[i])
		}
	}
	res.Mean, res.SE = MeanSE(res.NLL)
	return res, nil
}

// MeanSE returns the mean of the per-point values v and its standard
// error (sample standard deviation / √n; NaN for fewer than 2 values).
func MeanSE(v []float64) (float64, float64) {
	s := 0.0
	for _, x := range v {
		s += x
	}
	mean := s / float64(len(v))
	if len(v) < 2 {
		return mean, math.NaN()
	}
	ss := 0.0
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1) / float64(len(v)))
}

// makeProbes draws the Hutchinson probes: for each replicated state, Probes
// vectors over its order·d coordinates, keyed by (seed, first + state).
func (c *Config) makeProbes(first, m, d, order int) []float64 {
	if c.Divergence != Hutchinson {
		return nil
	}
	w := order * d
	out := make([]float64, m*c.Probes*w)
	for row := 0; row < m; row++ {
		g := rng.New(c.Seed, rng.PurposeHutchinson, uint64(first+row))
		for j := 0; j < c.Probes*w; j++ {
			switch c.Probe {
			case Gaussian:
				out[row*c.Probes*w+j] = g.NormFloat64()
			case Rademacher:
				out[row*c.Probes*w+j] = 1
				if g.Uint64()&1 != 0 {
					out[row*c.Probes*w+j] = -1
				}
			default:
				panic(fmt.Sprintf("likelihood: probe %d passed defaults", c.Probe))
			}
		}
	}
	return out
}

// drift returns the augmented right-hand side (f̃, ∇·f̃).
func (c *Config) drift(m, d int, probes []float64) func(t float64, y, dy []float64) {
	p := c.Process
	order := p.Order()
	nd := m * d
	sx, sv := make([]float64, nd), make([]float64, nd)
	wx, wv := make([]float64, nd), make([]float64, nd)
	gx, gv := make([]float64, nd), make([]float64, nd)
	if order == 1 {
		sv, wv, gv = nil, nil, nil
	}
	return func(t float64, y, dy []float64) {
		x := y[:nd]
		var v []float64
		if order == 2 {
			v = y[nd : 2*nd]
		}
		// f̃ = β(A u − ½ D s): Process.ProbabilityFlowDrift; its divergence
		// is β tr A − Σ_c ½β D_cc ∂s_c/∂u_c.
		dr := p.ProbabilityFlowDrift(t)
		hx, hv := dr.ScoreCoefficients()
		flow := dr // captured by value below
		a := p.DriftCoefficients(t)
		trA := a.XX
		if order == 2 {
			trA += a.VV
		}
		div := dy[order*nd:]
		for i := range div {
			div[i] = trA * float64(d)
		}
		scored := false
		switch c.Divergence {
		case Exact:
			// Σ_c ½GGᵀ_cc ∂s_c/∂u_c via one VJP per coordinate (unit vectors).
			for comp := 0; comp < order*d; comp++ {
				clear(wx)
				clear(wv)
				j, onV := comp%d, comp >= d
				coef := hx
				if onV {
					coef = hv
				}
				if coef == 0 {
					continue
				}
				for i := 0; i < m; i++ {
					if onV {
						wv[i*d+j] = 1
					} else {
						wx[i*d+j] = 1
					}
				}
				c.Model.ScoreVJP(t, x, v, wx, wv, sx, sv, gx, gv)
				scored = true
				for i := 0; i < m; i++ {
					if onV {
						div[i] -= coef * gv[i*d+j]
					} else {
						div[i] -= coef * gx[i*d+j]
					}
				}
			}
			if !scored {
				c.Model.Score(t, x, v, sx, sv)
			}
		case Hutchinson:
			// εᵀ(∂f̃/∂u)ε = εᵀ(βA)ε − (½GGᵀε)ᵀ(∂s/∂u)ε, averaged over probes.
			w := order * d
			for i := range div {
				div[i] = 0
			}
			for k := 0; k < c.Probes; k++ {
				for i := 0; i < m; i++ {
					e := probes[(i*c.Probes+k)*w : (i*c.Probes+k+1)*w]
					for j := 0; j < d; j++ {
						wx[i*d+j] = hx * e[j]
						if order == 2 {
							wv[i*d+j] = hv * e[d+j]
						}
					}
				}
				c.Model.ScoreVJP(t, x, v, wx, wv, sx, sv, gx, gv)
				parallel.For(m, 256, func(lo, hi int) {
					for i := lo; i < hi; i++ {
						e := probes[(i*c.Probes+k)*w : (i*c.Probes+k+1)*w]
						acc := 0.0
						for j := 0; j < d; j++ {
							if order == 2 {
								ex, ev := e[j], e[d+j]
								acc += ex*(a.XX*ex+a.XV*ev) + ev*(a.VX*ex+a.VV*ev)
								acc -= gx[i*d+j]*ex + gv[i*d+j]*ev
							} else {
								ex := e[j]
								acc += ex * a.XX * ex
								acc -= gx[i*d+j] * ex
							}
						}
						div[i] += acc / float64(c.Probes)
					}
				})
			}
		default:
			panic(fmt.Sprintf("likelihood: divergence %d passed defaults", c.Divergence))
		}
		// f̃ (sx, sv hold the score from the last evaluation).
		parallel.For(nd, 1024, func(lo, hi int) {
			dr := flow // per-goroutine copy: the closure captures flow by value
			if order == 1 {
				dr.Eval(dy[lo:hi], nil, x[lo:hi], nil, sx[lo:hi], nil)
				return
			}
			dr.Eval(dy[lo:hi], dy[nd+lo:nd+hi], x[lo:hi], v[lo:hi], sx[lo:hi], sv[lo:hi])
		})
	}
}

// driftMonitor watches the probability-flow drift the solver evaluates, so
// that a failed solve can say where the model's score went wrong: the
// first evaluation with a non-finite component, and the largest state
// component (x or v, not the log-density change) of the latest one.
type driftMonitor struct {
	f               func(t float64, y, dy []float64)
	d, k, nd, order int

	bad          bool // a non-finite component was seen
	badT, badV   float64
	badI         int
	lastT, peakV float64
	peakI        int
	evaluated    bool
}

func (m *driftMonitor) eval(t float64, y, dy []float64) {
	m.f(t, y, dy)
	m.lastT, m.peakV, m.peakI, m.evaluated = t, 0, -1, true
	for i, v := range dy {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if !m.bad {
				m.bad, m.badT, m.badV, m.badI = true, t, v, i
			}
			continue
		}
		if a := math.Abs(v); i < m.order*m.nd && (a > m.peakV || m.peakI < 0) {
			m.peakV, m.peakI = a, i
		}
	}
}

// where names the data point and component of state index i (layout
// x | v | Δ, K replicas per point).
func (m *driftMonitor) where(i int) string {
	if i >= m.order*m.nd {
		return fmt.Sprintf("data point %d, log-density change", (i-m.order*m.nd)/m.k)
	}
	part := "x"
	if i >= m.nd {
		part, i = "v", i-m.nd
	}
	return fmt.Sprintf("data point %d, %s[%d]", i/m.d/m.k, part, i%m.d)
}

// explain turns a solver failure into an error about the score model: a
// non-finite drift means a non-finite score (or its divergence); a step
// size that underflows or a step budget spent on finite values means a
// score that varies too fast to integrate, as a diverged network's does.
// The solver's error stays wrapped.
func (m *driftMonitor) explain(err error) error {
	switch {
	case m.bad:
		return fmt.Errorf("likelihood: the model's score is not finite at t = %.6g (%s: drift %v), so the probability-flow ODE cannot be integrated: the model has likely diverged in training (%w)",
			m.badT, m.where(m.badI), m.badV, err)
	case m.evaluated && m.peakI >= 0 && (errors.Is(err, ode.ErrStepUnderflow) || errors.Is(err, ode.ErrMaxSteps)):
		return fmt.Errorf("likelihood: the model's score is unstable near t = %.6g: the probability-flow ODE's steps shrank to the resolution of t; the drift there reaches %.3g (%s), which a well-trained score does not: the model has likely diverged in training (%w)",
			m.lastT, m.peakV, m.where(m.peakI), err)
	}
	return fmt.Errorf("likelihood: probability-flow ODE: %w", err)
}

// BitsPerDim converts a mean NLL (nats per image) of data y = a·x + b, where
// x ∈ [0, 1] was uniformly dequantised on 256 levels, into bits per
// dimension of the 8-bit data: (NLL − D·ln(a/256))/(D·ln 2). For y in
// [−1, 1] (a = 2) this is the familiar NLL/(D ln 2) + 7; it is derived from
// the scaling instead of hard-coded.
func BitsPerDim(nll float64, dims int, scale float64) float64 {
	D := float64(dims)
	return (nll - D*math.Log(scale/256)) / (D * math.Ln2)
}

// VelocityEntropy returns H(q) = (d/2)(1 + ln 2πγM) of q = N(0, γM·I_d).
func VelocityEntropy(p *sde.Process, d int) float64 {
	return float64(d) / 2 * (1 + math.Log(2*math.Pi*p.InitVelVar*p.Mass()))
}
