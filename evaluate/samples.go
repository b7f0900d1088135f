package evaluate

import (
	"fmt"
	"strings"

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
	Data    string         // toy data set to compare with (required)
	N       int            // fresh data draws (0: DefaultN)
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
	Samples int // number of samples compared
	DataN   int // number of data draws
	ED      *Measure
	MMD2    *Measure
	SW2     *Measure
	Modes   *ModeMeasure
}

// Samples compares the n×2 samples x with N fresh draws of c.Data (stream
// (Seed, PurposeEval, 1)); the floor draw has n points (stream (Seed,
// PurposeEval, 2)). The metrics are metrics.EnergyDistance, metrics.MMD2,
// metrics.SlicedW2 and metrics.ModeMetrics, defined in docs/metrics.md
// (Sample metrics). Errors: N < 2 (when set), fewer than 2 samples or an
// odd length of x, an unknown metric, an unknown data set or modes for a data set that
// is not a mixture (these two a *ConfigError).
func Samples(x []float64, c SampleConfig) (*SampleResult, error) {
	n := c.N
	if n == 0 {
		n = DefaultN
	}
	if n < 2 {
		return nil, fmt.Errorf("evaluate: N = %d data draws: want >= 2", c.N)
	}
	if len(x) < 4 || len(x)%2 != 0 {
		return nil, fmt.Errorf("evaluate: %d sample values: want n×2 with n >= 2", len(x))
	}
	want := c.Metrics
	if want == nil {
		want = []SampleMetric{ED, MMD, SW2}
	}
	y, err := toy.Sample(c.Data, n, rng.Key(c.Seed, rng.PurposeEval, 1))
	if err != nil {
		return nil, configErr("Data", "data %q: %v", c.Data, err)
	}
	ref, _ := toy.Sample(c.Data, len(x)/2, rng.Key(c.Seed, rng.PurposeEval, 2))
	r := &SampleResult{Data: c.Data, Samples: len(x) / 2, DataN: n}
	for _, m := range want {
		var f func(a, b []float64) (float64, error)
		var dst **Measure
		switch m {
		case ED:
			f, dst = func(a, b []float64) (float64, error) { return metrics.EnergyDistance(a, b, 2) }, &r.ED
		case MMD:
			f, dst = func(a, b []float64) (float64, error) { return metrics.MMD2(a, b, 2) }, &r.MMD2
		case SW2:
			f, dst = metrics.SlicedW2, &r.SW2
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
// n_samples, n_data, data, the metrics under ed, mmd2, sw2 and modes, and
// their floors under "floor".
func (r *SampleResult) Fields(res map[string]any) {
	floor := map[string]any{}
	res["n_samples"], res["n_data"], res["data"] = r.Samples, r.DataN, r.Data
	for _, p := range []struct {
		key string
		m   *Measure
	}{{"ed", r.ED}, {"mmd2", r.MMD2}, {"sw2", r.SW2}} {
		if p.m != nil {
			res[p.key], floor[p.key] = p.m.Value, p.m.Floor
		}
	}
	if r.Modes != nil {
		res["modes"], floor["modes"] = r.Modes.Value, r.Modes.Floor
	}
	res["floor"] = floor
}
