package main

import (
	"fmt"
	"strings"

	"phasespace/imagedata"
	"phasespace/rng"
	"phasespace/toy"
)

// toySource draws fresh i.i.d. toy samples for every step: sample i of step
// s comes from the stream keyed by (seed, step), so batches do not depend on
// anything but the seed and the step.
type toySource struct{ name string }

func (s toySource) Dim() int { return 2 }

func (s toySource) Batch(dst []float64, n int, seed uint64, step int64) error {
	x, err := toy.Sample(s.name, n, rng.Key(seed, rng.PurposeTrainBatch, uint64(step)))
	if err != nil {
		return err
	}
	copy(dst, x)
	return nil
}

// imageSource serves a fixed image training set in a seeded random order
// per epoch, uniformly dequantised and scaled to [−1, 1].
type imageSource struct {
	ds        *imagedata.Dataset
	permEpoch int64
	perm      []int
}

func (s *imageSource) Dim() int { return s.ds.H * s.ds.W }

func (s *imageSource) Batch(dst []float64, n int, seed uint64, step int64) error {
	d := s.Dim()
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

// isImageData reports whether name selects an image data set.
func isImageData(name string) bool {
	return name == "mnist" || name == "fashion-mnist" || strings.ContainsAny(name, "/.")
}

// loadImageSplit reads split ("train" or "test") of image data name,
// 2×2-average-pooled to 14×14 when downsample is set.
func loadImageSplit(name, split string, downsample bool) (*imagedata.Dataset, error) {
	ds, err := imagedata.Load(name, split)
	if err != nil || !downsample {
		return ds, err
	}
	return ds.Downsample2()
}

// loadImageSplits returns the training and test sets of --data name, with
// the flag named in errors.
func loadImageSplits(name string, downsample bool) (train, test *imagedata.Dataset, err error) {
	if train, err = loadImageSplit(name, "train", downsample); err != nil {
		return nil, nil, fmt.Errorf("--data %s: %w", name, err)
	}
	if test, err = loadImageSplit(name, "test", downsample); err != nil {
		return nil, nil, fmt.Errorf("--data %s: %w", name, err)
	}
	return train, test, nil
}

// openTrainData returns the training data source for --data.
func openTrainData(name string, subset int, downsample bool) (interface {
	Dim() int
	Batch([]float64, int, uint64, int64) error
}, string, error) {
	if !isImageData(name) {
		if _, err := toy.Sample(name, 1, 0); err != nil {
			return nil, "", usagef("--data %q: %v; image sets: mnist, fashion-mnist or a directory of IDX files", name, err)
		}
		return toySource{name}, "raw 2-D coordinates", nil
	}
	ds, err := imagedata.Load(name, "train")
	if err != nil {
		return nil, "", fmt.Errorf("--data %s: %w", name, err)
	}
	ds = ds.Subset(subset)
	if downsample {
		if ds, err = ds.Downsample2(); err != nil {
			return nil, "", err
		}
	}
	return &imageSource{ds: ds}, fmt.Sprintf("pixels (p+u)/256 scaled to [-1,1], %dx%d", ds.H, ds.W), nil
}
