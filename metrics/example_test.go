package metrics_test

import (
	"fmt"

	"phasespace/metrics"
	"phasespace/toy"
)

// Samples placed on every mode of 8gaussians capture all eight, all of
// high quality, spread uniformly.
func Example() {
	mix, _ := toy.Mixture("8gaussians")
	var x []float64
	for _, c := range mix.Components {
		x = append(x, c.Mean...)
	}
	m := metrics.ModeMetrics(x, mix)
	fmt.Println(m.Captured, m.Total, m.HighQuality, m.KL)
	// Output: 8 8 1 0
}
