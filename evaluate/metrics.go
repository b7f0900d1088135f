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
