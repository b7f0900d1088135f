package experiment

import (
	"fmt"
	"strings"

	"phasespace/dataset"
	"phasespace/figure"
)

// IsPNG reports whether path names a PNG file (by its extension, any case).
func IsPNG(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".png") }

// WriteSamples writes n×d row-major samples x to path, choosing the format
// by the extension: a .png holds a grid of square images of c channels
// (figure.SampleImages; d other than 2) or, for d = 2, a scatter and a density panel titled
// title; any other name gets a CSV with one sample per line
// (dataset.WriteCSV). Errors start with "experiment:" and name the path.
func WriteSamples(path, title string, x []float64, d, c int) error {
	var err error
	switch {
	case IsPNG(path) && d != 2:
		err = figure.SampleImages(path, x, d, c)
	case IsPNG(path):
		err = figure.Panels(path, 420, figure.Panel{Title: title, Points: x}, figure.Panel{Title: "density", Points: x, Density: true})
	default:
		err = dataset.WriteCSV(path, x, d)
	}
	if err != nil {
		return fmt.Errorf("experiment: writing samples to %s: %w", path, err)
	}
	return nil
}

// WritePoints writes n×d row-major points x (any d >= 1) to path, choosing
// the format by the extension: a .png holds, titled title, a histogram for
// d = 1, a scatter and a density panel for d = 2 (as WriteSamples) and the
// pair-plot matrix of the first figure.MaxPairDims dimensions for d > 2;
// any other name gets a CSV (dataset.WriteCSV). Errors start with
// "experiment:" and name the path.
func WritePoints(path, title string, x []float64, d int) error {
	var err error
	switch {
	case !IsPNG(path) || d == 2:
		return WriteSamples(path, title, x, d, 0)
	case d == 1:
		err = figure.Histogram(path, title, x, 420)
	default:
		err = figure.PairPlot(path, title, x, d, 220)
	}
	if err != nil {
		return fmt.Errorf("experiment: writing samples to %s: %w", path, err)
	}
	return nil
}
