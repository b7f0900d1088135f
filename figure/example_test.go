package figure_test

import (
	"fmt"
	"os"
	"path/filepath"

	"phasespace/figure"
)

// Scatter writes a PNG of 2-D points (row-major n×2).
func Example() {
	dir, _ := os.MkdirTemp("", "figure-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "points.png")
	if err := figure.Scatter(path, "three points", []float64{0, 0, 1, 1, -1, 0.5}, 200); err != nil {
		panic(err)
	}
	raw, _ := os.ReadFile(path)
	fmt.Printf("%q\n", raw[1:4])
	// Output: "PNG"
}
