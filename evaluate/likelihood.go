package evaluate

import (
	"fmt"
	"math"

	"phasespace/likelihood"
	"phasespace/model"
	"phasespace/ode"
	"phasespace/rng"
	"phasespace/sampler"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/toy"
)

// Bound is the kind of NLL value a likelihood evaluation gives.
type Bound int

const (
	// BoundExact is the exact NLL of the probability-flow ODE (VP).
	BoundExact Bound = iota + 1
	// BoundAugmented is E_q[−log p(x, v)] − H(q) of CLD and PSLD, q the
	// initial-velocity distribution (docs/likelihood.md).
	BoundAugmented
	// BoundImportanceWeighted is the K-sample importance-weighted bound.
	BoundImportanceWeighted
)

// String returns the bound's name as `phasespace eval` prints it (without K).
func (b Bound) String() string {
	switch b {
	case BoundExact:
		return "exact (VP)"
	case BoundAugmented:
		return "augmented E_q[-log p(x,v)] - H(q)"
	case BoundImportanceWeighted:
		return "importance-weighted"
	}
	return fmt.Sprintf("Bound(%d)", int(b))
}

// ParseBound maps the names String returns to a Bound.
func ParseBound(s string) (Bound, error) {
	for b := BoundExact; b <= BoundImportanceWeighted; b++ {
		if b.String() == s {
			return b, nil
		}
	}
	return 0, fmt.Errorf("evaluate: bound %q: valid are %q, %q, %q", s, BoundExact, BoundAugmented, BoundImportanceWeighted)
}

// KnownEntropy returns H(p) in nats of the toy set data, and whether it is
// known: checkerboard, 8gaussians and diamond (docs/results.md).
func KnownEntropy(data string) (float64, bool) {
	h, ok := knownEntropy[data]
	return h, ok
}

var knownEntropy = map[string]float64{"checkerboard": math.Log(32), "8gaussians": 2.8342, "diamond": -1.4021}

// NLLConfig configures the likelihood solves. Zero fields mean the
// defaults named.
type NLLConfig struct {
	N          int                   // points evaluated (0: DefaultN; BPD: all test images)
	Seed       uint64                // data, velocity and probe draws
	IW         int                   // initial velocities per point, K (0: 1, the augmented bound)
	Divergence likelihood.Divergence // 0: likelihood.Exact
	Probe      likelihood.Probe      // Hutchinson probes (0: likelihood.Rademacher)
	Probes     int                   // Hutchinson probes per point (0: 1)
	RTol, ATol float64               // ODE tolerances (0: 1e-5 each)
	Eps        float64               // starting time of the ODE (0: 1e-5)
	// Batch is the number of points solved at once (0:
	// sampler.DefaultBatch): memory grows with it (times IW), not with N.
	// The adaptive solver's steps depend on the points solved together, so
	// the per-point values are bit-identical for one Batch and any split of
	// the points on its grid (shards), not across Batch values.
	Batch int
}

func (c NLLConfig) withDefaults() NLLConfig {
	if c.N == 0 {
		c.N = DefaultN
	}
	if c.Batch == 0 {
		c.Batch = sampler.DefaultBatch
	}
	if c.IW == 0 {
		c.IW = 1
	}
	if c.Divergence == 0 {
		c.Divergence = likelihood.Exact
	}
	if c.Probe == 0 {
		c.Probe = likelihood.Rademacher
	}
	if c.Probes == 0 {
		c.Probes = 1
	}
	for _, v := range []*float64{&c.RTol, &c.ATol, &c.Eps} {
		if *v == 0 {
			*v = 1e-5
		}
	}
	return c
}

func (c NLLConfig) validate() error {
	switch {
	case c.N < 1:
		return fmt.Errorf("evaluate: N = %d points: want >= 1", c.N)
	case c.IW < 1 || c.IW > 4096:
		return fmt.Errorf("evaluate: IW = %d: want 1..4096", c.IW)
	case c.Probes < 1 || c.Probes > 1024:
		return fmt.Errorf("evaluate: Probes = %d: want 1..1024", c.Probes)
	case c.Divergence.String() != "exact" && c.Divergence.String() != "hutchinson":
		return fmt.Errorf("evaluate: unknown divergence %v", c.Divergence)
	case c.Probe.String() != "rademacher" && c.Probe.String() != "gaussian":
		return fmt.Errorf("evaluate: unknown probe %v", c.Probe)
	case !(c.RTol > 0 && c.RTol < 1), !(c.ATol > 0 && c.ATol < 1):
		return fmt.Errorf("evaluate: tolerances rtol %v, atol %v: want values in (0, 1)", c.RTol, c.ATol)
	case !(c.Eps > 0 && c.Eps < 1):
		return fmt.Errorf("evaluate: Eps = %v: want 0 < eps < 1", c.Eps)
	case c.Batch < 0:
		return fmt.Errorf("evaluate: Batch = %d: want >= 1 (0: %d)", c.Batch, sampler.DefaultBatch)
	}
	return nil
}

// Likelihood is the result of a likelihood solve over a set of points.
type Likelihood struct {
	NLL        float64 // mean NLL (or bound), nats per point
	SE         float64 // its standard error over points (probe noise included)
	NFE        int     // score evaluations of the solver
	N          int     // points evaluated
	Divergence likelihood.Divergence
	Bound      Bound
	IW         int // K of the importance-weighted bound (1 otherwise)

	values []float64 // per point (LikelihoodOf)
}

// BoundText is the bound as `phasespace eval` prints it.
func (l *Likelihood) BoundText() string {
	if l.Bound == BoundImportanceWeighted {
		return fmt.Sprintf("importance-weighted, K=%d", l.IW)
	}
	return l.Bound.String()
}

// Fields returns the layout of `phasespace eval --json` for the solve.
func (l *Likelihood) Fields() map[string]any {
	return map[string]any{"nll": l.NLL, "se": l.SE, "nfe": l.NFE, "n": l.N, "divergence": l.Divergence.String(), "bound": l.BoundText()}
}

// LikelihoodOf runs the likelihood solver (likelihood.NLL with the adaptive
// ode.Integrate) on the n×d points x under the score model, in chunks of
// c.Batch points (LikelihoodChunks). NFE is that of the costliest chunk.
func LikelihoodOf(p *sde.Process, m score.VJPModel, x []float64, c NLLConfig) (*Likelihood, error) {
	var all []float64
	l, err := LikelihoodChunks(p, m, x, 0, c, func(_ int, v []float64) error { all = append(all, v...); return nil })
	if err != nil {
		return nil, err
	}
	l.NLL, l.SE = likelihood.MeanSE(all)
	l.values = all
	return l, nil
}

// LikelihoodChunks solves the points x (n×d), which are the points first…
// first+n−1 of a larger set, in the chunks of the global grid of c.Batch
// points (chunk k: points k·Batch … (k+1)·Batch−1) and passes each chunk's
// per-point NLL to emit in order, so that memory is bounded by a chunk.
// The returned Likelihood has N, NFE (the costliest chunk's), the
// divergence and the bound; its NLL and SE are left to the caller, who
// holds the values (likelihood.MeanSE).
func LikelihoodChunks(p *sde.Process, m score.VJPModel, x []float64, first int, c NLLConfig, emit func(first int, nll []float64) error) (*Likelihood, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	d := m.Dim()
	if d < 1 || len(x)%d != 0 || len(x) == 0 || first < 0 {
		return nil, fmt.Errorf("evaluate: %d values from point %d are not a non-empty set of points of dimension %d", len(x), first, d)
	}
	l := &Likelihood{N: len(x) / d, Divergence: c.Divergence, Bound: BoundExact, IW: 1}
	if p.Order() == 2 {
		l.Bound = BoundAugmented
		if c.IW > 1 {
			l.Bound, l.IW = BoundImportanceWeighted, c.IW
		}
	}
	for lo, end := first, first+l.N; lo < end; {
		hi := min(end, (lo/c.Batch+1)*c.Batch)
		cfg := likelihood.Config{Process: p, Model: m, Solve: ode.Integrate, Eps: c.Eps, RTol: c.RTol, ATol: c.ATol,
			IW: c.IW, Probes: c.Probes, Seed: c.Seed, Divergence: c.Divergence, Probe: c.Probe, FirstIndex: lo}
		r, err := likelihood.NLL(cfg, x[(lo-first)*d:(hi-first)*d])
		if err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
		l.NFE = max(l.NFE, r.NFE)
		if err := emit(lo, r.NLL); err != nil {
			return nil, err
		}
		lo = hi
	}
	return l, nil
}

// NLLResult is the likelihood of fresh toy data points.
type NLLResult struct {
	Likelihood
	// TrueNLL is the data density's own mean NLL on the same points, where
	// the density is known (nil otherwise).
	TrueNLL *float64
	// Entropy is H(p) of the data set where known (nil otherwise).
	Entropy *float64
	// LogDet is Σ_j log σ_j of a point-file run's standardisation, included
	// in NLL (nil for toy sets).
	LogDet *float64
}

// Fields returns the layout of `phasespace eval --json` under "nll".
func (r *NLLResult) Fields() map[string]any {
	out := r.Likelihood.Fields()
	if r.TrueNLL != nil {
		out["true_nll_same_points"] = *r.TrueNLL
	}
	if r.Entropy != nil {
		out["true_entropy"] = *r.Entropy
	}
	if r.LogDet != nil {
		out["log_det_scale"] = *r.LogDet
	}
	return out
}

// NLL evaluates the likelihood of c.N fresh points of the toy set data
// (stream (Seed, PurposeEval, 3)) under the score model: NLLPoints of all
// points, summarised by NLLFrom.
func NLL(p *sde.Process, m score.VJPModel, data string, c NLLConfig) (*NLLResult, error) {
	c = c.withDefaults()
	nll, logp, l, err := NLLPoints(p, m, data, c, 0, c.N)
	if err != nil {
		return nil, err
	}
	return NLLFrom(*l, nll, logp, data), nil
}

// NLLPoints evaluates, as NLL does, the points lo…hi−1 of the c.N fresh
// points of data (0 ≤ lo < hi ≤ N), in the chunks of the global grid of
// c.Batch points, so that a split of the points on that grid (shards)
// gives the values of the single run. It returns each point's NLL (nats),
// the data density's log-probability of each point (nil where the density
// is unknown) and the solve's summary (N, NFE, bound; NLL and SE unset).
func NLLPoints(p *sde.Process, m score.VJPModel, data string, c NLLConfig, lo, hi int) (nll, logp []float64, l *Likelihood, err error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, nil, nil, err
	}
	if lo < 0 || hi <= lo || hi > c.N {
		return nil, nil, nil, fmt.Errorf("evaluate: points %d…%d of %d: want 0 ≤ lo < hi ≤ N", lo, hi-1, c.N)
	}
	x, err := toy.Sample(data, c.N, rng.Key(c.Seed, rng.PurposeEval, 3))
	if err != nil {
		return nil, nil, nil, configErr("Data", "data %q: %v", data, err)
	}
	x = x[2*lo : 2*hi]
	l, err = LikelihoodChunks(p, m, x, lo, c, func(_ int, v []float64) error { nll = append(nll, v...); return nil })
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range hi - lo {
		lp, ok := toy.LogProb(data, x[2*i:2*i+2])
		if !ok {
			return nll, nil, l, nil
		}
		logp = append(logp, lp)
	}
	return nll, logp, l, nil
}

// NLLFrom is the NLLResult of all points' values from NLLPoints: l's NFE,
// bound and divergence with the mean and standard error of nll, the mean of
// −logp (nil logp: unknown) and the known entropy of data.
func NLLFrom(l Likelihood, nll, logp []float64, data string) *NLLResult {
	l.N = len(nll)
	l.NLL, l.SE = likelihood.MeanSE(nll)
	r := &NLLResult{Likelihood: l}
	if logp != nil {
		tr := 0.0
		for _, lp := range logp {
			tr -= lp / float64(len(logp))
		}
		r.TrueNLL = &tr
	}
	if h, ok := KnownEntropy(data); ok {
		r.Entropy = &h
	}
	return r
}

// BPDResult is bits per dimension of an image model.
type BPDResult struct {
	Likelihood
	BPD, BPDSE float64 // bits/dim and its standard error
	Images     int     // test images evaluated
}

// Fields returns the layout of `phasespace eval --json` under "bpd".
func (r *BPDResult) Fields() map[string]any {
	out := r.Likelihood.Fields()
	out["bpd"], out["bpd_se"], out["images"] = r.BPD, r.BPDSE, r.Images
	return out
}

// BPD evaluates bits/dim of a trained image model on the first c.N test
// images (0: all) of its data set (an image folder has no test split: its
// own images), per sub-pixel (the NLL divided by C·H·W·ln 2), uniformly
// dequantised ((p + u)/256
// scaled to [−1, 1], so the scale is a = 2; u from (Seed, PurposeEval, 4)).
// A zero c.Divergence means Hutchinson here: one VJP per probe instead of
// one per pixel.
func BPD(m *model.Loaded, c NLLConfig) (*BPDResult, error) {
	x, c, err := bpdImages(m, "", c)
	if err != nil {
		return nil, err
	}
	l, err := LikelihoodOf(m.Process, m.Score, x, c)
	if err != nil {
		return nil, err
	}
	return bpdFrom(*l, l.values, m.Meta.Dim), nil
}

// bpdImages returns the dequantised test images of BPD (n×C·H·W, scaled)
// and c with N set to their number and the divergence's default; dir is
// the data's directory if it moved ("": where training read it;
// model.Loaded.ImageSplits).
func bpdImages(m *model.Loaded, dir string, c NLLConfig) ([]float64, NLLConfig, error) {
	_, ds, err := m.ImageSplits(dir, false)
	if err != nil {
		return nil, c, err
	}
	if c.N > 0 {
		ds = ds.Subset(c.N)
	}
	if c.Divergence == 0 {
		c.Divergence = likelihood.Hutchinson
	}
	c.N = ds.N
	return ds.Scaled(rng.New(c.Seed, rng.PurposeEval, 4)), c, nil
}

// bpdFrom is the BPDResult of every image's NLL (nats) of a model of
// dimension d (bits per sub-pixel, scale a = 2) with l's NFE, bound and
// divergence.
func bpdFrom(l Likelihood, values []float64, d int) *BPDResult {
	l.N = len(values)
	l.NLL, l.SE = likelihood.MeanSE(values)
	return &BPDResult{Likelihood: l, BPD: likelihood.BitsPerDim(l.NLL, d, 2), BPDSE: l.SE / (float64(d) * math.Ln2), Images: len(values)}
}

// ProcessFields describes a process's parameters in the layout of
// `phasespace eval --json` ("process"): sde, beta0, beta1, numerical_eps
// and T; m_inv, Gamma and gamma for CLD and PSLD; nu for PSLD.
func ProcessFields(p *sde.Process) map[string]any {
	m := map[string]any{"sde": p.Kind.String(), "beta0": p.Schedule.Beta0, "beta1": p.Schedule.Beta1,
		"numerical_eps": p.NumericalEps, "T": p.T}
	if p.Order() == 2 {
		m["m_inv"], m["Gamma"], m["gamma"] = p.MInv, p.Friction, p.InitVelVar
	}
	if p.Kind == sde.PSLD {
		m["nu"] = p.Nu
	}
	return m
}
