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
	register("data", "draw samples of a 2-D toy data set as CSV or a PNG plot", runData)
}

func runData(args []string, stdout io.Writer) error {
	fs := newFlagSet("data")
	name := fs.String("name", "", "data set: "+strings.Join(toy.Names(), ", "))
	n := fs.Int("n", 2000, "number of samples (1..10000000)")
	seed := fs.Uint64("seed", 0, "random seed")
	out := fs.String("out", "", "output file: .csv (one sample per line) or .png (scatter and density plot)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usagef("--name is required (valid: %s)", strings.Join(toy.Names(), ", "))
	}
	if err := inRange("n", *n, 1, dataset.MaxCSVRows); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required: a .csv or .png file")
	}
	x, err := toy.Sample(*name, *n, *seed)
	if err != nil {
		return usagef("--name: %v", err)
	}
	if err := experiment.WriteSamples(*out, fmt.Sprintf("%s (n=%d)", *name, *n), x, 2); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d samples of %s (seed %d) to %s\n", *n, *name, *seed, *out)
	return nil
}
