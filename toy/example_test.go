package toy_test

import (
	"fmt"

	"phasespace/toy"
)

// Sample i depends on the seed and i only: a longer draw extends a shorter
// one.
func Example() {
	a, _ := toy.Sample("moons", 3, 1)
	b, _ := toy.Sample("moons", 5, 1)
	same := true
	for i := range a {
		same = same && a[i] == b[i]
	}
	_, hasDensity := toy.LogProb("checkerboard", []float64{0.5, 0.5})
	fmt.Println(len(b), same, hasDensity)
	// Output: 10 true true
}
