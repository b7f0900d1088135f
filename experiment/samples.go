package experiment

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"phasespace/dataset"
	"phasespace/figure"
	"phasespace/internal/atomicfile"
	"phasespace/sampler"
)

// IsPNG reports whether path names a PNG file (by its extension, any case).
func IsPNG(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".png") }

// CheckSampleOutput refuses a samples file whose extension is neither
// .csv nor .png (any case) with a *ConfigError for field Out that names
// the extension and the valid ones.
func CheckSampleOutput(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".png":
		return nil
	case "":
		return configErr("Out", "%s has no extension: valid are .csv (one sample per line) and .png (a plot)", path)
	}
	return configErr("Out", "%s: extension %s is not a samples format: valid are .csv (one sample per line) and .png (a plot)", path, filepath.Ext(path))
}

// WriteSamples writes n×d row-major samples x to path, choosing the format
// by the extension: a .png holds a grid of square images of c channels
// (figure.SampleImages; d other than 2) or, for d = 2, a scatter and a density panel titled
// title; a .csv one sample per line (dataset.WriteCSV). Errors start with
// "experiment:" and name the path; another extension is refused
// (CheckSampleOutput).
func WriteSamples(path, title string, x []float64, d, c int) error {
	if err := CheckSampleOutput(path); err != nil {
		return err
	}
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
// a .csv a CSV (dataset.WriteCSV). Errors start with "experiment:" and
// name the path; another extension is refused (CheckSampleOutput).
func WritePoints(path, title string, x []float64, d int, names []string) error {
	var err error
	switch {
	case !IsPNG(path) || d == 2:
		return WriteSamples(path, title, x, d, 0)
	case d == 1:
		err = figure.Histogram(path, title, x, 420, strings.Join(names, ""))
	default:
		err = figure.PairPlot(path, title, x, d, 220, names)
	}
	if err != nil {
		return fmt.Errorf("experiment: writing samples to %s: %w", path, err)
	}
	return nil
}

// SampleOutput says where SampleFile writes.
type SampleOutput struct {
	Path string // .csv, or .png (2-D data or square images)
	// Trajectories, if set, is a .png of the phase-space paths (x₁, v₁) of
	// the first six samples (2-D data; figure.Trajectories).
	Trajectories string
	Name         string // the model, for the PNG titles
	Channels     int    // colour channels of image samples (WriteSamples; 0: grayscale)
	// Standardisation, if set, maps the model's samples to the data's units
	// (a point-file run: x = mean + scale·z), and a PNG is drawn by
	// WritePoints (any d).
	Standardisation *dataset.Standardisation
	Columns         []string  // the data's column names, for the PNG's axes (nil: x1 … xd)
	Progress        io.Writer // a status line every two seconds (nil: none; sampler.Progress)
}

// SampleFile draws the n samples cfg.FirstIndex… of cfg in chunks of
// batch (sampler.SampleChunks; 0: sampler.DefaultBatch) and writes them to
// o.Path as WriteSamples does, and the trajectories. A CSV is written
// atomically chunk by chunk, so memory does not grow with n and the bytes
// are those of one WriteSamples of all samples; a PNG needs every point
// and holds the n×d positions (not the network's activations). A PNG's
// title is o.Name, the process, the sampler and the NFE. cfg.Callback is
// replaced. Errors: before any sampling, an o.Path of another extension
// (CheckSampleOutput) or in a missing directory; then those of
// SampleChunks, WriteSamples and figure.Trajectories.
func SampleFile(o SampleOutput, cfg sampler.Config, n, batch int) (sampler.Stats, error) {
	if err := CheckSampleOutput(o.Path); err != nil {
		return sampler.Stats{}, err
	}
	for _, p := range []string{o.Path, o.Trajectories} {
		if dir := filepath.Dir(p); p != "" {
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return sampler.Stats{}, &atomicfile.PathError{Path: p, Err: fmt.Errorf("experiment: writing samples to %s: directory %s does not exist (nothing was sampled)", p, dir)}
			}
		}
	}
	paths := make([][][4]float64, min(6, n))
	prog := sampler.NewProgress(cmp.Or(o.Progress, io.Discard), cfg)
	cfg.Callback = func(s sampler.Step) {
		prog.Step(s)
		if o.Trajectories != "" {
			sampler.RecordPaths(paths, s, cfg.Model.Dim())
		}
	}
	st, err := sampleFile(o, cfg, n, batch)
	prog.Done()
	if err == nil && o.Trajectories != "" {
		title := fmt.Sprintf("%s, %v %v, %d NFE", o.Name, cfg.Process.Kind, cfg.Method, st.NFE)
		if err = figure.Trajectories(o.Trajectories, title, paths, 420); err != nil {
			err = fmt.Errorf("experiment: %w", err)
		}
	}
	return st, err
}

func sampleFile(o SampleOutput, cfg sampler.Config, n, batch int) (sampler.Stats, error) {
	d, path := cfg.Model.Dim(), o.Path
	if IsPNG(path) {
		x := make([]float64, 0, n*d)
		st, err := sampler.SampleChunks(cfg, n, batch, func(_ int, c []float64) error { x = append(x, c...); return nil })
		if err != nil {
			return st, err
		}
		title := fmt.Sprintf("%s, %v %v, %d NFE", o.Name, cfg.Process.Kind, cfg.Method, st.NFE)
		if o.Standardisation != nil {
			o.Standardisation.Invert(x)
			return st, WritePoints(path, title, x, d, o.Columns)
		}
		return st, WriteSamples(path, title, x, d, o.Channels)
	}
	var st sampler.Stats
	var serr, werr error // sampling errors come back as Sample returns them
	err := atomicfile.WriteFunc(path, func(w io.Writer) error {
		st, serr = sampler.SampleChunks(cfg, n, batch, func(_ int, c []float64) error {
			o.Standardisation.Invert(c) // nil: the identity
			werr = dataset.WriteCSVRows(w, c, d)
			return werr
		})
		return cmp.Or(werr, serr)
	})
	switch {
	case serr != nil && werr == nil:
		return st, serr
	case err != nil:
		return st, fmt.Errorf("experiment: writing samples to %s: %w", path, err)
	}
	return st, nil
}
