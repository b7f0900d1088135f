package figure

import (
	"fmt"

	"phasespace/imagedata"
)

// ImageSide returns s when d = s·s is a square image of at least 4×4, else 0.
func ImageSide(d int) int {
	for s := 4; s*s <= d; s++ {
		if s*s == d {
			return s
		}
	}
	return 0
}

// SampleImages writes image samples x in [−1, 1] (n×d row-major, d = s·s)
// as a grid of grayscale images, up to 10 per row, ink white on black as in
// MNIST (pixels by imagedata.ToPixels), each scaled up to at least 56
// pixels a side. It returns an error when d is not a square number or
// len(x) not a positive multiple of d, or when the PNG cannot be written.
func SampleImages(path string, x []float64, d int) error {
	side := ImageSide(d)
	if side == 0 || len(x) == 0 || len(x)%d != 0 {
		return fmt.Errorf("figure: %d values are not square images of %d pixels", len(x), d)
	}
	n := len(x) / d
	imgs := make([][]byte, n)
	for i := range imgs {
		imgs[i] = imagedata.ToPixels(x[i*d : (i+1)*d])
	}
	return ImageGrid(path, imgs, side, side, min(n, 10), max(1, 56/side))
}
