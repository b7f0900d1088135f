package evaluate

import (
	"fmt"
	"slices"
	"strings"
)

// Metrics is a set of metrics to evaluate: sample metrics of 2-D samples
// (Samples), feature metrics of images (Features), the NLL bound of 2-D
// data (NLL) and bits/dim of images (BPD).
type Metrics struct {
	Sample   []SampleMetric
	Feature  []FeatureMetric
	NLL, BPD bool
}

// MetricNames returns the names ParseMetrics accepts, in the order String
// writes them (a new slice at each call).
func MetricNames() []string { return append([]string(nil), metricNames[:]...) }

var metricNames = [...]string{"nll", "bpd", "ed", "mmd", "sw2", "modes", "fd", "kid", "pr", "classes"}

// ParseMetrics parses comma-separated metric names (MetricNames(); spaces
// around a name are ignored, repeats count once).
func ParseMetrics(list string) (Metrics, error) {
	var m Metrics
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "nll" {
			m.NLL = true
		} else if s == "bpd" {
			m.BPD = true
		} else if sm, err := ParseSampleMetric(s); err == nil {
			if !slices.Contains(m.Sample, sm) {
				m.Sample = append(m.Sample, sm)
			}
		} else if fm, err := ParseFeatureMetric(s); err == nil {
			if !slices.Contains(m.Feature, fm) {
				m.Feature = append(m.Feature, fm)
			}
		} else {
			return Metrics{}, fmt.Errorf("evaluate: unknown metric %q (valid: %s)", s, strings.Join(metricNames[:], ", "))
		}
	}
	return m, nil
}

// String writes the set as ParseMetrics reads it, in MetricNames() order.
func (m Metrics) String() string {
	var out []string
	for _, n := range metricNames {
		sm, serr := ParseSampleMetric(n)
		fm, ferr := ParseFeatureMetric(n)
		if n == "nll" && m.NLL || n == "bpd" && m.BPD || serr == nil && slices.Contains(m.Sample, sm) || ferr == nil && slices.Contains(m.Feature, fm) {
			out = append(out, n)
		}
	}
	return strings.Join(out, ",")
}

// Source is what an evaluation reads: a file of samples, the exact score
// of a mixture, or a trained checkpoint.
type Source int

const (
	FromSamples    Source = iota + 1 // samples compared with fresh data draws
	FromExact                        // the exact score of a mixture data set
	FromCheckpoint                   // a trained model
	ForPoints                        // given points under a model (exact or checkpoint)
)

// SourceOf returns the source of an evaluation given samples, an exact
// score or a checkpoint (neither samples nor exact), and given points to
// evaluate under the model (ForPoints).
func SourceOf(samples, exact, points bool) Source {
	switch {
	case samples:
		return FromSamples
	case points:
		return ForPoints
	case exact:
		return FromExact
	}
	return FromCheckpoint
}

// MetricsFor parses list (ParseMetrics) for the source, or takes the
// source's default where list is empty: ed,mmd,sw2 for FromSamples, nll for
// FromExact and ForPoints, nll,ed,mmd,sw2 for FromCheckpoint. It refuses a
// metric the source cannot give: nll without a model, bpd and the feature
// metrics without a (image) checkpoint, sample metrics of an exact score
// (compare its samples instead), anything but nll for ForPoints.
func MetricsFor(list string, src Source) (Metrics, error) {
	if list == "" {
		switch src {
		case FromSamples:
			list = "ed,mmd,sw2"
		case FromExact, ForPoints:
			list = "nll"
		case FromCheckpoint:
			list = "nll,ed,mmd,sw2"
		default:
			return Metrics{}, fmt.Errorf("evaluate: unknown source %d", src)
		}
	}
	w, err := ParseMetrics(list)
	switch {
	case err != nil:
		return Metrics{}, err
	case src == ForPoints && (w.BPD || len(w.Sample)+len(w.Feature) > 0):
		return Metrics{}, fmt.Errorf("evaluate: metrics %s: given points are evaluated with nll only", w)
	case src == FromExact && len(w.Sample) > 0:
		return Metrics{}, fmt.Errorf("evaluate: metrics %s: an exact score is evaluated with nll; for sample metrics draw samples from it and compare those", w)
	case (w.BPD || len(w.Feature) > 0) && src != FromCheckpoint:
		return Metrics{}, fmt.Errorf("evaluate: metrics %s need an image checkpoint", w)
	case w.NLL && src == FromSamples:
		return Metrics{}, fmt.Errorf("evaluate: metric nll needs a model (an exact score or a checkpoint), not samples")
	}
	return w, nil
}
