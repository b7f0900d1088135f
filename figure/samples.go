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

// SampleImages writes image samples x in [−1, 1] (n×d row-major, d = c·s·s:
// c channel planes of s×s, c = 3 for RGB, 1 or 0 for grayscale) as a grid,
// up to 10 per row, grayscale ink white on black as in MNIST (pixels by
// imagedata.ToPixels), each scaled up to at least 56 pixels a side. It
// returns an error when d is not c square planes, c is not 0, 1 or 3, or
// len(x) is not a positive multiple of d, or when the PNG cannot be
// written.
func SampleImages(path string, x []float64, d, c int) error {
	c = max(c, 1)
	side := 0
	if c == 1 || c == 3 {
		side = ImageSide(d / c)
	}
	if side == 0 || side*side*c != d || len(x) == 0 || len(x)%d != 0 {
		return fmt.Errorf("figure: %d values are not images of %d channels and %d values", len(x), c, d)
	}
	n := len(x) / d
	imgs := make([][]byte, n)
	for i := range imgs {
		imgs[i] = imagedata.ToPixels(x[i*d : (i+1)*d])
	}
	return imageGrid(path, imgs, c, side, side, min(n, 10), max(1, 56/side))
}
