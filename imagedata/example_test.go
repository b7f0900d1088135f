package imagedata_test

import (
	"bytes"
	"fmt"

	"phasespace/imagedata"
)

// Decode an IDX file of two 2×2 images, average-pool them to 1×1 and map
// model outputs in [−1, 1] back to bytes.
func Example() {
	raw := []byte{0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, // magic (ubyte, 3 dims), dims 2×2×2
		0, 10, 20, 30, 255, 255, 255, 251}
	idx, err := imagedata.ReadIDX(bytes.NewReader(raw), 1<<20)
	if err != nil {
		panic(err)
	}
	ds := &imagedata.Dataset{N: idx.Dims[0], H: idx.Dims[1], W: idx.Dims[2], Pixels: idx.Data}
	small, err := ds.Downsample2()
	if err != nil {
		panic(err)
	}
	fmt.Println(idx.Dims, small.H, small.Pixels, imagedata.ToPixels([]float64{-1, 1, 2}))
	// Output: [2 2 2] 1 [15 254] [0 255 255]
}
