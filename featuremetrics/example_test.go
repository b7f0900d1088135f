package featuremetrics_test

import (
	"fmt"

	"phasespace/featuremetrics"
	"phasespace/rng"
)

// Shifting every feature by c leaves the covariance unchanged, so the
// Fréchet distance is the squared mean shift D·c².
func Example() {
	const n, d, c = 200, 4, 0.5
	r := rng.New(1)
	a := featuremetrics.Features{N: n, D: d, Data: make([]float64, n*d)}
	b := featuremetrics.Features{N: n, D: d, Data: make([]float64, n*d)}
	for i := range a.Data {
		a.Data[i] = r.NormFloat64()
		b.Data[i] = a.Data[i] + c
	}
	fd, err := featuremetrics.FD(a, b)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.6f\n", fd)
	// Output: 1.000000
}
