package gemm_test

import (
	"fmt"

	"phasespace/gemm"
)

// C = A·B for row-major 2×3 and 3×2 matrices.
func Example() {
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 0, 1, 1, 1}
	c := make([]float32, 4)
	gemm.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c)
	// Output: [4 5 10 11]
}
