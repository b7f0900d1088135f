package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"phasespace/dataset"
	"phasespace/evaluate"
	"phasespace/figure"
	"phasespace/sampler"
	"phasespace/toy"
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
	if *n < 2 || *n > 100000 {
		return usagef("--n = %d: want 2..100000", *n)
	}
	if *nfe < 2 {
		return usagef("--nfe = %d: want >= 2", *nfe)
	}
	if dataset.IsImage(f.c.Data) {
		return usagef("--data %s: the demo uses 2-D toy data (e.g. 8gaussians, checkerboard, diamond)", f.c.Data)
	}
	if err := os.MkdirAll(f.c.OutDir, 0o755); err != nil {
		return fmt.Errorf("--out %s: %w", f.c.OutDir, err)
	}
	cfg, err := f.setup(os.Stderr)
	if err != nil {
		return err
	}
	if _, err := f.execute(cfg, stdout, os.Stderr); err != nil {
		return err
	}
	lm, err := loadCheckpoint(f.c.OutDir)
	if err != nil {
		return err
	}
	if lm.Step < f.c.Steps {
		return nil // stopped by a signal: the checkpoint is written, nothing to sample yet
	}
	// Sample with SSCS, recording the phase-space paths of a few samples.
	const tracked = 6
	paths := make([][][4]float64, tracked)
	t0 := time.Now()
	x, st, err := sampler.Sample(sampler.Config{
		Process: lm.Process, Model: lm.Score, Method: sampler.SSCS, NFE: *nfe, Seed: f.c.Seed + 100,
		Callback: func(s sampler.Step) { sampler.RecordPaths(paths, s, 2) },
	}, *n)
	if err != nil {
		return err
	}
	data, _ := toy.Sample(f.c.Data, *n, f.c.Seed+200)
	samplesPNG := filepath.Join(f.c.OutDir, "samples.png")
	if err := figure.Panels(samplesPNG, 420,
		figure.Panel{Title: f.c.Data + " (data)", Points: data},
		figure.Panel{Title: fmt.Sprintf("%s samples (SSCS, %d NFE)", strings.ToUpper(lm.Process.Kind.String()), st.NFE), Points: x},
		figure.Panel{Title: "sample density", Points: x, Density: true}); err != nil {
		return err
	}
	trajPNG := filepath.Join(f.c.OutDir, "trajectories.png")
	if err := figure.Trajectories(trajPNG, strings.ToUpper(lm.Process.Kind.String())+" reverse SDE", paths, 420); err != nil {
		return err
	}
	if err := writeSamplesCSV(filepath.Join(f.c.OutDir, "samples.csv"), x, 2); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sampled %d points with SSCS (%d NFE) in %v\n", *n, st.NFE, time.Since(t0).Round(time.Millisecond))
	res := map[string]any{}
	if err := sampleMetrics(x, f.c.Data, *n, f.c.Seed+300, []evaluate.SampleMetric{evaluate.ED, evaluate.MMD, evaluate.SW2}, res); err != nil {
		return err
	}
	if !*skipNLL {
		r, err := evaluate.NLL(lm.Process, lm.Score, f.c.Data, evaluate.NLLConfig{N: min(*n, 1000), Seed: f.c.Seed + 400})
		if err != nil {
			return err
		}
		res["nll"] = r.Fields()
	}
	if err := printEval(stdout, res, false); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pictures: %s, %s, %s\n", samplesPNG, trajPNG, filepath.Join(f.c.OutDir, "loss.png"))
	return nil
}
