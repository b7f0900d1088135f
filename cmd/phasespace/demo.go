package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"phasespace/dataset"
	"phasespace/experiment"
)

func init() {
	register("demo", "the main job: train a small CLD model on a toy set, sample it, write PNGs and metrics", runDemo)
}

// runDemo trains (or resumes) a CLD score model on a toy data set, samples
// it with SSCS, and writes samples.png, trajectories.png and loss.png next to
// the checkpoints, then prints sample metrics and the NLL bound.
func runDemo(args []string, stdout io.Writer) error {
	fs := newFlagSet("demo")
	f := addTrainFlags(fs, 5000)
	f.cmd = "demo"
	// Measured on 2 cores (docs/results.md): 5000 steps at lr 3e-3 with a
	// 200-step warm-up separate the eight modes in under three minutes.
	f.c.LR, f.c.Warmup = 3e-3, 200
	fs.Lookup("lr").DefValue, fs.Lookup("warmup").DefValue = "0.003", "200"
	n := fs.Int("n", 2000, "samples to draw and evaluate (2..100000)")
	nfe := fs.Int("nfe", 200, "SSCS score evaluations, denoising included (>= 2)")
	skipNLL := fs.Bool("skip-nll", false, "do not compute the NLL bound")
	fs.Lookup("out").DefValue = "out"
	f.c.OutDir = "out"
	f.resume = true
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := firstErr(inRange("n", *n, 2, 100000), inRange("nfe", *nfe, 2, 1_000_000)); err != nil {
		return err
	}
	if dataset.IsImage(f.c.Data) || dataset.IsPoints(f.c.Data) {
		return usagef("--data %s: the demo uses 2-D toy data (e.g. 8gaussians, checkerboard, diamond)", f.c.Data)
	}
	if err := os.MkdirAll(f.c.OutDir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", f.c.OutDir, err)
	}
	if err := f.run(stdout, os.Stderr); err != nil {
		return err
	}
	lm, err := loadCheckpoint(f.c.OutDir)
	if err != nil {
		return err
	}
	if lm.Step < f.c.Steps {
		return nil // stopped by a signal: the checkpoint is written, nothing to sample yet
	}
	r, err := experiment.Demo(lm, experiment.DemoConfig{Data: f.c.Data, N: *n, NFE: *nfe, Seed: f.c.Seed, SkipNLL: *skipNLL, Out: f.c.OutDir})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sampled %d points with SSCS (%d NFE) in %v\n", *n, r.Stats.NFE, r.Wall.Round(time.Millisecond))
	if err := printEval(stdout, r.Fields, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pictures: %s, %s, %s\n", r.SamplesPNG, r.Paths, filepath.Join(f.c.OutDir, "loss.png"))
	return nil
}
