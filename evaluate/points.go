package evaluate

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"phasespace/dataset"
	"phasespace/internal/atomicfile"
	"phasespace/likelihood"
	"phasespace/score"
	"phasespace/sde"
)

// PerPointReplicas is the number of independent solves per point of
// PointsNLL when the estimate is stochastic (a velocity draw for CLD and
// PSLD, Hutchinson probes): its per-point value is their mean and its
// standard error their spread over √PerPointReplicas.
const PerPointReplicas = 8

// PointNLL is the likelihood of given points, in the data's units.
type PointNLL struct {
	Likelihood           // the summary over points: NLL is the mean of NLL below
	Path       string    // the points' file
	Dim        int       // d
	Columns    []string  // the file's column names (a CSV header row; nil: x1 … xd)
	X          []float64 // the points, n×d, data units
	NLL        []float64 // per point, nats in the data's units
	SE         []float64 // per point, standard error over the replicas (0: deterministic)
	Replicas   int       // solves per point (1: deterministic)
	LogDet     float64   // Σ_j log σ_j of the standardisation, included in NLL
}

// pointLikelihood evaluates the n×d points x (data units) under the score
// model of a process trained on z = std(x) (nil: x itself), with replicas
// solves per point: the per-point means and standard errors, in nats of x
// (the change of variables adds LogDet = Σ_j log σ_j, dataset
// Standardisation.LogDet).
func pointLikelihood(p *sde.Process, m score.VJPModel, std *dataset.Standardisation, x []float64, d, replicas int, c NLLConfig) (*PointNLL, error) {
	nll, se, l, err := pointValues(p, m, std, x, d, replicas, 0, c)
	if err != nil {
		return nil, err
	}
	return &PointNLL{Likelihood: pointSummary(*l, nll), Dim: d, X: x, NLL: nll, SE: se, Replicas: replicas, LogDet: std.LogDet()}, nil
}

// pointValues solves the points x, which are the points first…first+n−1
// of a larger set, replicas times each, in the chunks of the global grid of
// c.Batch solves (point i's replicas are solves i·replicas …), so that a
// split of the points whose boundaries lie on that grid gives the values
// of the whole set. It returns each point's mean NLL (LogDet included) and
// standard error over its replicas, and the solve's NFE, bound and
// divergence.
func pointValues(p *sde.Process, m score.VJPModel, std *dataset.Standardisation, x []float64, d, replicas, first int, c NLLConfig) (nll, se []float64, l *Likelihood, err error) {
	n := len(x) / d
	z := make([]float64, 0, len(x)*replicas)
	for i := 0; i < n; i++ {
		for r := 0; r < replicas; r++ {
			z = append(z, x[i*d:(i+1)*d]...)
		}
	}
	std.Apply(z)
	c.N = n * replicas
	var all []float64
	l, err = LikelihoodChunks(p, m, z, first*replicas, c, func(_ int, v []float64) error { all = append(all, v...); return nil })
	if err != nil {
		return nil, nil, nil, err
	}
	logDet := std.LogDet()
	nll, se = make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		v := all[i*replicas : (i+1)*replicas]
		mean, ss := 0.0, 0.0
		for _, u := range v {
			mean += u / float64(replicas)
		}
		for _, u := range v {
			ss += (u - mean) * (u - mean)
		}
		if replicas > 1 {
			se[i] = math.Sqrt(ss / float64(replicas-1) / float64(replicas))
		}
		nll[i] = mean + logDet
	}
	return nll, se, l, nil
}

// pointSummary is l with N, NLL and SE over the per-point values nll: their
// mean and its standard error.
func pointSummary(l Likelihood, nll []float64) Likelihood {
	n := len(nll)
	l.N, l.NLL, l.SE = n, 0, 0
	for _, v := range nll {
		l.NLL += v / float64(n)
	}
	for _, v := range nll {
		l.SE += (v - l.NLL) * (v - l.NLL)
	}
	l.SE = math.Sqrt(l.SE / float64(max(n-1, 1)) / float64(n))
	return l
}

// pointAlign is the points per block of a split of points solved replicas
// times each in chunks of batch solves: the block's solves are a multiple
// of batch, so every chunk lies within one block.
func pointAlign(batch, replicas int) int {
	g := batch
	for b := replicas; b != 0; g, b = b, g%b {
	}
	return batch / g
}

// Stochastic reports whether the likelihood estimate of p with divergence
// and probes of c is random: a velocity draw (CLD, PSLD) or Hutchinson
// probes.
func (c NLLConfig) Stochastic(p *sde.Process) bool {
	return p.Order() == 2 || c.withDefaults().Divergence != likelihood.Exact
}

// PointsNLL evaluates the NLL of every point of the file path
// (dataset.ReadPoints) under the score model m of process p, whose data
// were standardised by std (nil: none, as for an exact score): each point
// goes through std, and the change-of-variables term Σ_j log σ_j is added,
// so the NLL is in nats of the data's units. A stochastic estimate
// (c.Stochastic) is solved PerPointReplicas times per point. c.N is
// ignored. Errors: an unreadable or invalid file (*dataset.FileError), a
// dimension other than the model's (*ConfigError, Field "Points"), and
// those of LikelihoodOf.
func PointsNLL(p *sde.Process, m score.VJPModel, std *dataset.Standardisation, path string, c NLLConfig) (*PointNLL, error) {
	x, d, names, err := dataset.ReadPointsNamed(path)
	if err != nil {
		return nil, err
	}
	if d != m.Dim() {
		return nil, configErr("Points", "%s has %d columns, the model's data %d", path, d, m.Dim())
	}
	replicas := 1
	if c.Stochastic(p) {
		replicas = PerPointReplicas
	}
	r, err := pointLikelihood(p, m, std, x, d, replicas, c)
	if err != nil {
		return nil, err
	}
	r.Path, r.Columns = path, names
	return r, nil
}

// PointsNLLTo is PointsNLL followed, when out is not empty, by WriteCSV
// to out. out is checked before any work: a name that does not end in
// .csv (any case) is a *ConfigError for field Per-Point naming the
// extension, a missing directory an *atomicfile.PathError.
func PointsNLLTo(out string, p *sde.Process, m score.VJPModel, std *dataset.Standardisation, path string, c NLLConfig) (*PointNLL, error) {
	if ext := filepath.Ext(out); out != "" && !strings.EqualFold(ext, ".csv") {
		return nil, configErr("Per-Point", "%s: extension %q is not a table format: the per-point table is CSV, valid is .csv", out, ext)
	} else if st, err := os.Stat(filepath.Dir(out)); out != "" && (err != nil || !st.IsDir()) {
		return nil, &atomicfile.PathError{Path: out, Err: fmt.Errorf("evaluate: per-point NLL: writing %s: directory %s does not exist (nothing was computed)", out, filepath.Dir(out))}
	}
	r, err := PointsNLL(p, m, std, path, c)
	if err == nil && out != "" {
		err = r.WriteCSV(out)
	}
	return r, err
}

// Fields returns the layout of `phasespace eval --json` under "nll": the
// summary of Likelihood.Fields, the file, the replicas and log_det_scale.
func (r *PointNLL) Fields() map[string]any {
	out := r.Likelihood.Fields()
	out["points"], out["replicas"], out["log_det_scale"] = r.Path, r.Replicas, r.LogDet
	out["bits_per_dim"] = r.Likelihood.NLL / (float64(r.Dim) * math.Ln2)
	return out
}

// Header returns the per-point table's column names: the input's own
// (Columns, from a CSV header row) or x1 … xd, then "nll_nats (<bound>)",
// "bits_per_dim" (NLL/(d ln 2)) and "se_nats (<n> replicas)" ("1 replica":
// a deterministic estimate, whose standard error is 0).
func (r *PointNLL) Header() []string {
	h := make([]string, 0, r.Dim+3)
	for j := 1; j <= r.Dim; j++ {
		if len(r.Columns) == r.Dim {
			h = append(h, r.Columns[j-1])
		} else {
			h = append(h, "x"+strconv.Itoa(j))
		}
	}
	return append(h, "nll_nats ("+r.BoundText()+", "+r.Divergence.String()+" divergence)", "bits_per_dim",
		fmt.Sprintf("se_nats (%d %s)", r.Replicas, map[bool]string{true: "replica", false: "replicas"}[r.Replicas == 1]))
}

// WriteCSV writes one row per point (Header, then the point, its NLL in
// nats, bits/dim and standard error) to path atomically.
func (r *PointNLL) WriteCSV(path string) error {
	err := atomicfile.WriteFunc(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(r.Header())
		row := make([]string, r.Dim+3)
		for i := range r.NLL {
			for j := 0; j < r.Dim; j++ {
				row[j] = strconv.FormatFloat(r.X[i*r.Dim+j], 'g', -1, 64)
			}
			row[r.Dim] = strconv.FormatFloat(r.NLL[i], 'g', 10, 64)
			row[r.Dim+1] = strconv.FormatFloat(r.NLL[i]/(float64(r.Dim)*math.Ln2), 'g', 10, 64)
			row[r.Dim+2] = strconv.FormatFloat(r.SE[i], 'g', 4, 64)
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return fmt.Errorf("evaluate: per-point NLL: %w", err)
	}
	return nil
}

// HeldOutNLL evaluates the NLL of the first min(c.N, rows) held-out rows of
// a point-file run's data (ps.Val, dataset.OpenPointSet) under the score
// model m of process p trained on z = std(x), in nats of the data's units
// (the standardisation's log-determinant included, NLLResult.LogDet).
// Errors are those of LikelihoodOf.
func HeldOutNLL(p *sde.Process, m score.VJPModel, std *dataset.Standardisation, ps *dataset.PointSet, c NLLConfig) (*NLLResult, error) {
	c = c.withDefaults()
	x := ps.Val[:min(c.N*ps.Dim, len(ps.Val))]
	r, err := pointLikelihood(p, m, std, x, ps.Dim, 1, c)
	if err != nil {
		return nil, err
	}
	return &NLLResult{Likelihood: r.Likelihood, LogDet: &r.LogDet}, nil
}

// HeldOutSamples compares the n×ps.Dim samples x (data units) with the
// held-out rows of a point-file run's data (ps.Val) as Samples does, each
// metric beside its floor: the same metric between min(n, training rows)
// training rows (ps.Train, in the split's order) and the held-out rows.
// c.Data names the file in the result (empty: ps.Path); c.N and c.Dim are
// ignored. Errors: fewer than 2 samples or a length of x that is not a
// multiple of ps.Dim, and those of Samples' metrics.
func HeldOutSamples(x []float64, ps *dataset.PointSet, c SampleConfig) (*SampleResult, error) {
	if d := ps.Dim; len(x) < 2*d || len(x)%d != 0 {
		return nil, fmt.Errorf("evaluate: %d sample values: want n×%d with n >= 2", len(x), d)
	}
	if c.Data == "" {
		c.Data = ps.Path
	}
	return compare(x, ps.Val, ps.Train[:min(len(x), len(ps.Train))], ps.Dim, c)
}
