package evaluate

import (
	"strings"
	"testing"
)

// Each source's default metrics, and the metrics a source cannot give
// refused with the reason.
func TestMetricsFor(t *testing.T) {
	for _, c := range []struct {
		list string
		src  Source
		want string // the set, or the error's text
	}{
		{"", FromSamples, "ed,mmd,sw2"},
		{"", FromExact, "nll"},
		{"", FromCheckpoint, "nll,ed,mmd,sw2"},
		{"mmd, modes", FromSamples, "mmd,modes"},
		{"bpd,fd", FromCheckpoint, "bpd,fd"},
		{"nll", FromSamples, "needs a model"},
		{"bpd", FromExact, "need an image checkpoint"},
		{"kid", FromSamples, "need an image checkpoint"},
		{"fid", FromCheckpoint, "unknown metric"},
		{"", Source(0), "unknown source"},
	} {
		w, err := MetricsFor(c.list, c.src)
		got := w.String()
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) || (err == nil) != (got == c.want) {
			t.Errorf("MetricsFor(%q, %d) = %q, want %q", c.list, c.src, got, c.want)
		}
	}
}
