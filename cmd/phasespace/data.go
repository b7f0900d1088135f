package main

import (
	"fmt"
	"io"
	"strings"

	"phasespace/dataset"
	"phasespace/experiment"
	"phasespace/toy"
)

func init() {
	register("data", "draw samples of a 2-D toy data set as CSV or a PNG plot, or export an image set as a PNG folder", runData)
}

func runData(args []string, stdout io.Writer) error {
	fs := newFlagSet("data")
	name := fs.String("name", "", "data set: "+strings.Join(toy.Names(), ", ")+"; or an image set (mnist, fashion-mnist, a directory) to export")
	n := fs.Int("n", 2000, "toy sets: number of samples (1..10000000)")
	seed := fs.Uint64("seed", 0, "toy sets: random seed")
	out := fs.String("out", "", "output: .csv (one sample per line) or .png (scatter and density plot); image sets: a new folder of PNG files")
	var o dataset.Options
	fs.IntVar(&o.ImageSize, "image-size", 0, "image sets: centre-crop and resize to SxS (0: keep the size)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usagef("--name is required (valid: %s; mnist, fashion-mnist or an image directory)", strings.Join(toy.Names(), ", "))
	}
	if err := firstErr(checkFlags("data", fs, useContext{Data: *name, Image: dataset.IsImage(*name)}), inRange("n", *n, 1, dataset.MaxCSVRows)); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required: a .csv or .png file (image sets: a new folder)")
	}
	if dataset.IsImage(*name) {
		k, err := dataset.ExportFolder(*name, *out, o)
		if err == nil {
			fmt.Fprintf(stdout, "wrote %d training images of %s as PNG files to %s\n", k, *name, *out)
		}
		return err
	}
	x, err := toy.Sample(*name, *n, *seed)
	if err != nil {
		return usagef("--name: %v", err)
	}
	if err := experiment.WriteSamples(*out, fmt.Sprintf("%s (n=%d)", *name, *n), x, 2, 0); err != nil {
		return configError(err)
	}
	fmt.Fprintf(stdout, "wrote %d samples of %s (seed %d) to %s\n", *n, *name, *seed, *out)
	return nil
}
