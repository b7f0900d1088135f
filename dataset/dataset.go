package dataset

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"phasespace/imagedata"
	"phasespace/rng"
	"phasespace/toy"
)

// Source yields training batches; it satisfies train.DataSource.
type Source interface {
	// Dim is the dimension d of one sample: 2 for toy sets, C·H·W for images.
	Dim() int
	// Batch writes n samples (row-major n×d) for the given step into dst,
	// which must hold at least n·d values. The batch depends only on seed
	// and step.
	Batch(dst []float64, n int, seed uint64, step int64) error
	// Scaling describes, in words, how raw data became the values served
	// (recorded in a checkpoint's run description).
	Scaling() string
}

// Options selects part of an image data set. The zero value serves all
// training images at full resolution; toy sets ignore it.
type Options struct {
	// Subset, when positive, keeps only the first Subset training images.
	Subset int
	// Downsample 2×2 average-pools the images (28×28 → 14×14).
	Downsample bool
	// ImageSize, when positive, centre-crops every image to a square and
	// resizes it to ImageSize×ImageSize (imagedata.LoadFolder), before
	// Downsample.
	ImageSize int
	// Points splits and standardises a point file (OpenPointSet).
	Points PointOptions
}

// IsImage reports whether name selects an image data set: "mnist",
// "fashion-mnist" or a path (a name containing '/' or '.') to a directory of
// IDX files or of PNG/JPEG images (imagedata.IsFolder), or the name of such
// a directory that is not a toy set's, other than a point file (IsPoints).
// Every other name is a toy set.
func IsImage(name string) bool {
	if IsPoints(name) {
		return false
	}
	if name == "mnist" || name == "fashion-mnist" || strings.ContainsAny(name, "/.") {
		return true
	}
	st, err := os.Stat(name) // a folder named without '/' or '.', unless a toy set has the name
	return err == nil && st.IsDir() && !slices.Contains(toy.Names(), name)
}

// Open returns the training source of the data set name: a toy set (see
// toy.Names), a point file (IsPoints: the standardised training rows of
// OpenPointSet, *Points) or an image set (see IsImage). Errors name the
// data set and list the valid names.
func Open(name string, o Options) (Source, error) {
	if IsPoints(name) {
		ps, err := OpenPointSet(name, o.Points)
		if err != nil {
			return nil, err
		}
		return NewPoints(ps), nil
	}
	if o.Subset < 0 {
		return nil, fmt.Errorf("dataset: %s: subset %d: want >= 0 (0: all images)", name, o.Subset)
	}
	if !IsImage(name) {
		if _, err := toy.Sample(name, 1, 0); err != nil {
			return nil, fmt.Errorf("dataset: %q: %v; image sets: mnist, fashion-mnist or a directory of IDX files or of PNG/JPEG images; point files: .csv, .npy", name, err)
		}
		return Toy{Name: name}, nil
	}
	ds, err := LoadSplit(name, "train", o)
	if err != nil {
		return nil, err
	}
	return NewImages(ds.Subset(o.Subset)), nil
}

// LoadSplit reads split "train" or "test" of the image data set name,
// resized to o.ImageSize and then 2×2-average-pooled when o.Downsample is
// set (o.Subset is not applied). An image folder (imagedata.IsFolder) has
// no test split: both splits are the whole folder. A name that is neither
// mnist, fashion-mnist nor a directory is a *FileError listing the valid
// data.
func LoadSplit(name, split string, o Options) (*imagedata.Dataset, error) {
	if split != "train" && split != "test" {
		return nil, fmt.Errorf("dataset: %s: split %q: valid are train, test", name, split)
	} else if o.ImageSize < 0 || o.ImageSize > 1024 {
		return nil, fmt.Errorf("dataset: %s: image size %d: want 1..1024 (0: as stored)", name, o.ImageSize)
	}
	if st, err := os.Stat(name); name != "mnist" && name != "fashion-mnist" && (err != nil || !st.IsDir()) {
		return nil, &FileError{Path: name, Err: fmt.Errorf("dataset: %s is not a data set: valid are the toy sets %s, point files (.csv, .npy), mnist, fashion-mnist, a directory of IDX files or a folder of PNG/JPEG images",
			name, strings.Join(toy.Names(), ", "))}
	}
	var ds *imagedata.Dataset
	var err error
	if imagedata.IsFolder(name) {
		if ds, err = imagedata.LoadFolder(name, o.ImageSize); errors.Is(err, imagedata.ErrNeedsSize) {
			err = fmt.Errorf("%w (the commands' --image-size S)", err)
		}
	} else if ds, err = imagedata.Load(name, split); err == nil && o.ImageSize > 0 {
		ds, err = ds.Resize(o.ImageSize)
	}
	if err == nil && o.Downsample {
		ds, err = ds.Downsample2()
	}
	if err != nil {
		return nil, fmt.Errorf("dataset: %s: %w", name, err)
	}
	return ds, nil
}

// ExportFolder writes the training images of the image set name (o as
// for LoadSplit) as a new folder of PNG files, in class subfolders when
// the set has labels (imagedata.WriteFolder), and returns their number.
func ExportFolder(name, dir string, o Options) (int, error) {
	ds, err := LoadSplit(name, "train", o)
	if err != nil {
		return 0, err
	}
	ds = ds.Subset(o.Subset)
	if err := imagedata.WriteFolder(ds, dir); err != nil {
		return 0, &FileError{Path: dir, Err: fmt.Errorf("dataset: %w", err)} // about dir: a command names its flag
	}
	return ds.N, nil
}

// LoadSplits returns the training and test splits of the image data set
// name (see LoadSplit).
func LoadSplits(name string, o Options) (train, test *imagedata.Dataset, err error) {
	if train, err = LoadSplit(name, "train", o); err != nil {
		return nil, nil, err
	}
	if imagedata.IsFolder(name) {
		return train, train, nil
	}
	if test, err = LoadSplit(name, "test", o); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// Toy serves fresh i.i.d. samples of a 2-D toy set for every step: the
// batch of step s is toy.Sample(Name, n, rng.Key(seed, rng.PurposeTrainBatch, s)).
type Toy struct{ Name string }

// Dim returns 2.
func (Toy) Dim() int { return 2 }

// Scaling returns "raw 2-D coordinates".
func (Toy) Scaling() string { return "raw 2-D coordinates" }

// Batch writes n toy samples for step into dst (n×2).
func (s Toy) Batch(dst []float64, n int, seed uint64, step int64) error {
	x, err := toy.Sample(s.Name, n, rng.Key(seed, rng.PurposeTrainBatch, uint64(step)))
	if err != nil {
		return fmt.Errorf("dataset: %q: %v", s.Name, err)
	}
	if len(dst) < len(x) {
		return fmt.Errorf("dataset: %q: dst holds %d values, a batch of %d needs %d", s.Name, len(dst), n, len(x))
	}
	copy(dst, x)
	return nil
}

// Images serves a fixed image set in a seeded random order per epoch,
// uniformly dequantised and scaled to [−1, 1]. It is not safe for concurrent
// use (it caches the current epoch's permutation).
type Images struct {
	ds        *imagedata.Dataset
	permEpoch int64
	perm      []int
}

// NewImages returns the source serving ds.
func NewImages(ds *imagedata.Dataset) *Images { return &Images{ds: ds} }

// Data returns the served image set.
func (s *Images) Data() *imagedata.Dataset { return s.ds }

// Dim returns C·H·W.
func (s *Images) Dim() int { return s.ds.Dim() }

// ImageShape returns the channels, height and width of one image.
func (s *Images) ImageShape() (c, h, w int) { return s.ds.Channels(), s.ds.H, s.ds.W }

// Scaling describes the dequantisation and the image size (and the
// channels when there are several).
func (s *Images) Scaling() string {
	if c := s.ds.Channels(); c > 1 {
		return fmt.Sprintf("pixels (p+u)/256 scaled to [-1,1], %dx%dx%d", c, s.ds.H, s.ds.W)
	}
	return fmt.Sprintf("pixels (p+u)/256 scaled to [-1,1], %dx%d", s.ds.H, s.ds.W)
}

// Batch writes rows step·n … step·n+n−1 of the epoch-wise permuted image
// sequence into dst (n×C·H·W, channel planes): row g is image perm_e[g mod N] of epoch
// e = g div N, perm_e = rng.New(seed, PurposeTrainBatch, e).Perm(N), and
// pixel p of row i becomes 2(p+u)/256 − 1, u from rng.New(seed, PurposeData,
// step, i).
func (s *Images) Batch(dst []float64, n int, seed uint64, step int64) error {
	d := s.Dim()
	if len(dst) < n*d {
		return fmt.Errorf("dataset: %s: dst holds %d values, a batch of %d needs %d", s.ds.Name, len(dst), n, n*d)
	}
	N := int64(s.ds.N)
	for i := 0; i < n; i++ {
		g := step*int64(n) + int64(i)
		epoch := g / N
		if s.perm == nil || s.permEpoch != epoch {
			s.perm = rng.New(seed, rng.PurposeTrainBatch, uint64(epoch)).Perm(s.ds.N)
			s.permEpoch = epoch
		}
		img := s.ds.Image(s.perm[g%N])
		r := rng.New(seed, rng.PurposeData, uint64(step), uint64(i))
		for j, p := range img {
			dst[i*d+j] = 2*(float64(p)+r.Float64())/256 - 1
		}
	}
	return nil
}
