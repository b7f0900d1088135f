package main

import (
	"math"
	"testing"

	"phasespace/metrics"
	"phasespace/toy"
)

// TestMMDCacheMatchesMetrics: the cached, one-exponential-per-pair MMD² of
// the convention study is metrics.MMD2 (to rounding) on data sets of
// different scales and for samples both near and far from the data.
func TestMMDCacheMatchesMetrics(t *testing.T) {
	for _, name := range []string{"diamond", "8gaussians"} {
		y, _ := toy.Sample(name, 300, 1)
		c := newMMDCache(y)
		if c.pows == nil {
			t.Fatalf("%s: bandwidth factors %v not handled by integer powers", name, metrics.MMDBandwidthFactors())
		}
		near, _ := toy.Sample(name, 250, 2)
		far := make([]float64, len(near))
		for i := range near {
			far[i] = 1.5*near[i] + 0.3
		}
		for _, x := range [][]float64{near, far} {
			want, err := metrics.MMD2(x, y, 2)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.mmd2(x); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: cached MMD² %.15g, metrics.MMD2 %.15g", name, got, want)
			}
		}
	}
}
