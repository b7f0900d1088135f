package evaluate

import (
	"cmp"
	"fmt"
	"strings"

	"phasespace/dataset"
	"phasespace/metrics"
	"phasespace/rng"
	"phasespace/toy"
)

// SampleMetric names one sample metric.
type SampleMetric int

const (
	ED    SampleMetric = iota + 1 // energy distance
	MMD                           // unbiased multi-scale RBF MMD²
	SW2                           // sliced Wasserstein-2
	Modes                         // mode metrics (Gaussian-mixture data only)
)

var sampleMetricNames = []string{ED: "ed", MMD: "mmd", SW2: "sw2", Modes: "modes"}

// String returns "ed", "mmd", "sw2" or "modes".
func (m SampleMetric) String() string {
	if m >= ED && m <= Modes {
		return sampleMetricNames[m]
	}
	return fmt.Sprintf("SampleMetric(%d)", int(m))
}

// ParseSampleMetric maps "ed", "mmd", "sw2" and "modes" to a SampleMetric.
func ParseSampleMetric(s string) (SampleMetric, error) {
	for m := ED; m <= Modes; m++ {
		if sampleMetricNames[m] == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("evaluate: sample metric %q: valid are %s", s, strings.Join(sampleMetricNames[1:], ", "))
}

// DefaultN is the number of fresh data points when a config's N is 0.
const DefaultN = 2000

// SampleConfig configures Samples. Zero fields mean the defaults named.
type SampleConfig struct {
	// Data is the toy data set or the point file (dataset.IsPoints) to
	// compare with (required).
	Data    string
	Dim     int            // columns d of the samples (0: 2)
	N       int            // toy sets: fresh data draws (0: DefaultN)
	Seed    uint64         // seed of the data draws
	Metrics []SampleMetric // metrics to compute (nil: ED, MMD, SW2)
}

// Measure is a metric's value beside its real-vs-real floor: the same
// metric between an independent data draw of the sample size and the data.
type Measure struct {
	Value, Floor float64
}

// ModeMeasure is the mode report of the samples and of the floor draw.
type ModeMeasure struct {
	Value, Floor metrics.Modes
}

// SampleResult holds the requested sample metrics; the others are nil.
type SampleResult struct {
	Data    string
	Dim     int // d of the points compared
	Samples int // number of samples compared
	DataN   int // number of data points
	ED      *Measure
	MMD2    *Measure
	SW2     *Measure // for d = 1 the exact 1-D W2 (metrics.W2In1D)
	Modes   *ModeMeasure
}

// Samples compares the n×d samples x with data. For a toy set (d = 2) the
// data are N fresh draws (stream (Seed, PurposeEval, 1)) and the floor draw
// has n points (stream (Seed, PurposeEval, 2)). For a point file the rows
// are split in halves (dataset.Split(rows, 0.5, Seed)): the data are the
// held-out half and the floor draw is min(n, rows/2) rows of the other. The
// metrics are metrics.EnergyDistance, metrics.MMD2, metrics.SlicedW2Dim
// (sliced W2 for d >= 2, the 1-D W2 for d = 1) and metrics.ModeMetrics,
// defined in docs/metrics.md (Sample metrics). Errors: N < 2 (when set),
// fewer than 2 samples or a length of x that is not a multiple of d, an
// unknown metric, an unreadable point file (*dataset.FileError), an unknown
// data set, a point file with other than d columns or modes for a data set
// that is not a mixture (these three a *ConfigError).
func Samples(x []float64, c SampleConfig) (*SampleResult, error) {
	n, d := cmp.Or(c.N, DefaultN), cmp.Or(c.Dim, 2)
	if n < 2 {
		return nil, fmt.Errorf("evaluate: N = %d data draws: want >= 2", c.N)
	}
	if d < 1 || len(x) < 2*d || len(x)%d != 0 {
		return nil, fmt.Errorf("evaluate: %d sample values: want n×%d with n >= 2", len(x), d)
	}
	if dataset.IsPoints(c.Data) {
		all, dy, err := dataset.ReadPoints(c.Data)
		if err != nil {
			return nil, err
		}
		if dy != d {
			return nil, configErr("Data", "%s has %d columns, the samples %d", c.Data, dy, d)
		}
		tr, va := dataset.Split(len(all)/d, 0.5, c.Seed)
		if len(va) < 2 {
			return nil, configErr("Data", "%s has %d rows: want at least 4 to compare samples with", c.Data, len(all)/d)
		}
		return compare(x, dataset.Rows(all, d, va), dataset.Rows(all, d, tr[:min(len(x)/d, len(tr))]), d, c)
	}
	if d != 2 {
		return nil, configErr("Data", "toy set %s is 2-D, the samples have %d columns", c.Data, d)
	}
	y, err := toy.Sample(c.Data, n, rng.Key(c.Seed, rng.PurposeEval, 1))
	if err != nil {
		return nil, configErr("Data", "data %q: %v", c.Data, err)
	}
	ref, _ := toy.Sample(c.Data, len(x)/2, rng.Key(c.Seed, rng.PurposeEval, 2))
	return compare(x, y, ref, 2, c)
}

// compare computes c.Metrics of the n×d samples x against the data y, and
// their floors with the floor draw ref in place of x.
func compare(x, y, ref []float64, d int, c SampleConfig) (*SampleResult, error) {
	want := c.Metrics
	if want == nil {
		want = []SampleMetric{ED, MMD, SW2}
	}
	r := &SampleResult{Data: c.Data, Dim: d, Samples: len(x) / d, DataN: len(y) / d}
	for _, m := range want {
		var f func(a, b []float64) (float64, error)
		var dst **Measure
		switch m {
		case ED:
			f, dst = func(a, b []float64) (float64, error) { return metrics.EnergyDistance(a, b, d) }, &r.ED
		case MMD:
			f, dst = func(a, b []float64) (float64, error) { return metrics.MMD2(a, b, d) }, &r.MMD2
		case SW2:
			f, dst = func(a, b []float64) (float64, error) { return metrics.SlicedW2Dim(a, b, d, c.Seed) }, &r.SW2
		case Modes:
			mix, ok := toy.Mixture(c.Data)
			if !ok {
				return nil, configErr("Metrics", "the mode metrics need a Gaussian-mixture data set (8gaussians, diamond, gaussian), not %s", c.Data)
			}
			r.Modes = &ModeMeasure{Value: metrics.ModeMetrics(x, mix), Floor: metrics.ModeMetrics(ref, mix)}
			continue
		default:
			return nil, fmt.Errorf("evaluate: unknown sample metric %v", m)
		}
		v, err := f(x, y)
		if err != nil {
			return nil, fmt.Errorf("evaluate: %v: %w", m, err)
		}
		fl, _ := f(ref, y)
		*dst = &Measure{Value: v, Floor: fl}
	}
	return r, nil
}

// Fields adds the result to res in the layout of `phasespace eval --json`:
// n_samples, n_data, data, the metrics under ed, mmd2, sw2 (w2 for d = 1)
// and modes, and their floors under "floor".
func (r *SampleResult) Fields(res map[string]any) {
	floor := map[string]any{}
	res["n_samples"], res["n_data"], res["data"] = r.Samples, r.DataN, r.Data
	sw2 := "sw2"
	if r.Dim == 1 {
		sw2 = "w2"
	}
	for _, p := range []struct {
		key string
		m   *Measure
	}{{"ed", r.ED}, {"mmd2", r.MMD2}, {sw2, r.SW2}} {
		if p.m != nil {
			res[p.key], floor[p.key] = p.m.Value, p.m.Floor
		}
	}
	if r.Modes != nil {
		res["modes"], floor["modes"] = r.Modes.Value, r.Modes.Floor
	}
	res["floor"] = floor
}

// SampleFile compares the samples of the CSV file path (dataset.ReadCSV,
// any number of columns d) with c.Data as Samples does (c.Dim is set to
// d). Errors: those of dataset.ReadCSV, as a *dataset.FileError, and of
// Samples.
func SampleFile(path string, c SampleConfig) (*SampleResult, error) {
	x, d, err := dataset.ReadCSV(path)
	if err != nil {
		return nil, &dataset.FileError{Path: path, Err: err}
	}
	c.Dim = d
	return Samples(x, c)
}
