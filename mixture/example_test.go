package mixture_test

import (
	"fmt"
	"math"

	"phasespace/mixture"
)

// A standard normal in two dimensions: log density −log 2π at the origin,
// score −x.
func Example() {
	m := mixture.Isotropic([][]float64{{0, 0}}, 1)
	s := make([]float64, 2)
	m.Score(s, []float64{1, -2})
	fmt.Printf("%.6f %.6f %v\n", m.LogProb([]float64{0, 0}), -math.Log(2*math.Pi), s)
	// Output: -1.837877 -1.837877 [-1 2]
}
