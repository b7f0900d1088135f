package dataset_test

import (
	"fmt"

	"phasespace/dataset"
)

// A toy source serves batches that depend only on the seed and the step.
func Example() {
	src, err := dataset.Open("checkerboard", dataset.Options{})
	if err != nil {
		panic(err)
	}
	a := make([]float64, 4*src.Dim())
	b := make([]float64, 4*src.Dim())
	src.Batch(a, 4, 1, 10)
	src.Batch(b, 4, 1, 10)
	fmt.Println(src.Dim(), src.Scaling(), a[0] == b[0] && a[7] == b[7])
	// Output: 2 raw 2-D coordinates true
}
