package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"phasespace/dataset"
	"phasespace/experiment"
	"phasespace/model"
	"phasespace/objective"
	"phasespace/train"
)

func init() {
	register("train", "train a score network (MLP for 2-D data, U-Net for images) with checkpoints and resume", runTrain)
}

// trainFlags are the train command's flags (also used by demo).
type trainFlags struct {
	cmd                string // the command, for checkFlags: train (default) or demo
	sf                 *sdeFlags
	data               string
	weighting          string
	steps, warmup      int64
	lrDecay            string
	batch              int
	lr, clip, emaDecay float64
	hidden, layers     int
	inputFourier       int
	inputFourierScale  float64
	seed               uint64
	out                string
	resume             bool
	mixed              bool
	param              string
	lossEps            float64
	importanceT        bool
	ckptEvery          int64
	keep               int
	skipBad            bool
	subset             int
	downsample         bool
	quiet              bool
	progressEvery      time.Duration
	timeBudget         time.Duration
	channels           string
	numRes             int
	dropout            float64
}

func addTrainFlags(fs *flag.FlagSet, defaultSteps int64) *trainFlags {
	f := &trainFlags{cmd: "train", sf: addSDEFlags(fs, "cld")}
	fs.StringVar(&f.data, "data", "8gaussians", "training data: a toy set (8gaussians, checkerboard, diamond, swissroll, moons, ...)")
	fs.StringVar(&f.weighting, "weighting", "eps", "loss weighting: eps (λ = ℓ⁻², sample quality) or ml (likelihood)")
	fs.Int64Var(&f.steps, "steps", defaultSteps, "optimiser steps (>= 1)")
	fs.IntVar(&f.batch, "batch", 512, "batch size (>= 1)")
	fs.Float64Var(&f.lr, "lr", 1e-3, "Adam learning rate (> 0)")
	fs.Int64Var(&f.warmup, "warmup", 0, "linear learning-rate warm-up steps (>= 0)")
	fs.StringVar(&f.lrDecay, "lr-decay", "none", "learning rate after the warm-up: none (constant) or cosine (down to 0 at --steps)")
	fs.Float64Var(&f.clip, "clip", 1, "global gradient-norm clip (0: none)")
	fs.Float64Var(&f.emaDecay, "ema", 0.999, "EMA decay in [0, 1)")
	fs.IntVar(&f.hidden, "hidden", 256, "MLP hidden width (>= 1)")
	fs.IntVar(&f.layers, "layers", 4, "MLP hidden layers (>= 1)")
	fs.IntVar(&f.inputFourier, "input-fourier", 0, "MLP: random Fourier features of the input, sin and cos of this many frequencies (0: none)")
	fs.Float64Var(&f.inputFourierScale, "input-fourier-scale", 1, "MLP: standard deviation of the input Fourier frequencies, in cycles per data unit (> 0)")
	fs.Uint64Var(&f.seed, "seed", 0, "random seed (data, noise, initialisation)")
	fs.StringVar(&f.out, "out", "", "output directory for checkpoints, loss.csv and loss.png (required)")
	fs.BoolVar(&f.resume, "resume", false, "continue from the newest valid checkpoint in --out, with the settings the run was started with: only --"+
		strings.Join(model.ResumableSettings, ", --")+" may change (--steps not with --lr-decay cosine); any other change is refused")
	fs.BoolVar(&f.mixed, "mixed-score", true, "CLD with --param L: add the analytic −v/Σᵛᵛ part to the score")
	fs.StringVar(&f.param, "param", "L", "CLD, PSLD: what the network predicts. L: each SDE's own parameterisation (CLD only the velocity score, "+
		"PSLD ε under the Cholesky factor L_t: s = −L_t⁻ᵀε); R: the full ε, position and velocity parts, under gDDIM's R_t "+
		"(s = −R_t⁻ᵀε, R_t R_tᵀ = Σ_t of the HSM kernel). --sampler gddim needs the full score: R for CLD (PSLD: R, or L with --Gamma > 0); "+
		"the other samplers use either")
	fs.Float64Var(&f.lossEps, "loss-eps", 1e-5, "smallest training time, t ~ U[loss-eps, 1]")
	fs.BoolVar(&f.importanceT, "importance-t", false, "importance-sample t (ml weighting only)")
	fs.Int64Var(&f.ckptEvery, "ckpt-every", 1000, "steps between checkpoints (0: only at the end)")
	fs.IntVar(&f.keep, "keep", 3, "checkpoints to keep (>= 1)")
	fs.BoolVar(&f.skipBad, "skip-bad-batches", false, "skip and count steps with a non-finite loss or gradient instead of stopping")
	fs.IntVar(&f.subset, "subset", 0, "images: use only the first N training images (0: all)")
	fs.BoolVar(&f.downsample, "downsample", false, "images: 2x2 average-pool to 14x14")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	fs.StringVar(&f.channels, "channels", "", "images: U-Net channels per resolution level, comma-separated (default: from the image size, nn.UNetChannelsFor: 32,64,128 at 28x28, 32,64 at 14x14)")
	fs.IntVar(&f.numRes, "num-res", 2, "images: U-Net residual blocks per level (1..8)")
	fs.Float64Var(&f.dropout, "dropout", 0.1, "images: U-Net dropout in [0, 1)")
	fs.DurationVar(&f.progressEvery, "progress-every", 2*time.Second, "progress line cadence")
	fs.DurationVar(&f.timeBudget, "time-budget", 0, "stop (with a checkpoint) once training has run this long in total, resumed runs included, e.g. 30m (0: none; --steps still caps the run)")
	return f
}

// check refuses the values whose zero means a default in model.Config
// (the library validates the rest).
func (f *trainFlags) check() error {
	switch {
	case f.steps < 1:
		return usagef("--steps = %d: want >= 1", f.steps)
	case f.batch < 1:
		return usagef("--batch = %d: want >= 1", f.batch)
	case !(f.lr > 0) || math.IsInf(f.lr, 0):
		return usagef("--lr = %v: want a finite value > 0", f.lr)
	case f.lrDecay != "none" && f.lrDecay != train.LRCosine:
		return usagef("--lr-decay = %q: want none or %s", f.lrDecay, train.LRCosine)
	case !(f.emaDecay > 0 && f.emaDecay < 1):
		return usagef("--ema = %v: want 0 < decay < 1", f.emaDecay)
	case !(f.inputFourierScale > 0) || math.IsInf(f.inputFourierScale, 0):
		return usagef("--input-fourier-scale = %v: want a finite value > 0", f.inputFourierScale)
	case f.out == "":
		return usagef("--out is required: a directory for checkpoints and curves")
	case !(f.lossEps > 0 && f.lossEps < 1):
		return usagef("--loss-eps = %v: want 0 < eps < 1", f.lossEps)
	case f.ckptEvery < 0:
		return usagef("--ckpt-every = %d: want >= 0", f.ckptEvery)
	case f.keep < 1:
		return usagef("--keep = %d: want >= 1", f.keep)
	case f.progressEvery <= 0:
		return usagef("--progress-every = %v: want > 0", f.progressEvery)
	case f.timeBudget < 0:
		return usagef("--time-budget = %v: want >= 0 (0: no budget)", f.timeBudget)
	}
	return nil
}

// setup builds the run with model.Setup: its errors are usage errors but
// for unreadable image files.
func (f *trainFlags) setup(stderr io.Writer) (*train.Config, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if !f.sf.given()["numerical-eps"] {
		f.sf.eps = model.DefaultToyNumericalEps // the toy configuration of the reference code
	}
	p, obj, err := f.sf.build()
	if err != nil {
		return nil, err
	}
	w, err := objective.ParseWeighting(f.weighting)
	if err != nil {
		return nil, usagef("--weighting: %v", err)
	}
	par, err := objective.ParseParam(f.param)
	if err != nil {
		return nil, usagef("--param: %v", err)
	}
	u := useContext{SDE: p.Kind, Data: f.data, Image: dataset.IsImage(f.data), Weighting: w.String(),
		InputFourier: f.inputFourier > 0, Quiet: f.quiet, Param: par.String()}
	if err := checkFlags(f.cmd, f.sf.fs, u); err != nil {
		return nil, err
	}
	c := model.Config{Data: f.data, Subset: f.subset, Downsample: f.downsample, Process: p, Objective: obj, Weighting: w,
		NoMixedScore: !f.mixed, LossEps: f.lossEps, ImportanceT: f.importanceT, Param: par,
		Net:   model.Net{Hidden: f.hidden, Layers: f.layers, InputFourier: f.inputFourier, InputFourierScale: f.inputFourierScale, NumRes: f.numRes, Dropout: f.dropout},
		Steps: f.steps, Batch: f.batch, LR: f.lr, Warmup: f.warmup, LRDecay: f.decay(), Clip: f.clip, EMADecay: f.emaDecay, Seed: f.seed,
		OutDir: f.out, CheckpointEvery: f.ckptEvery, Keep: f.keep, ProgressEvery: f.progressEvery, SkipBadBatches: f.skipBad, TimeBudget: f.timeBudget}
	if f.channels != "" {
		if c.Net.Channels, err = model.ParseChannels(f.channels); err != nil {
			return nil, usagef("--channels: %v", err)
		}
	}
	if !f.quiet {
		c.Progress = func(s train.Status) {
			eta := s.ETA.Round(time.Second)
			fmt.Fprintf(stderr, "step %d/%d  loss %.4f  ema-loss %.4f  |g| %.3g  lr %.2g  %.1f steps/s  %.0f samples/s  elapsed %v  ETA %v",
				s.Step, s.Steps, s.Loss, s.EMALoss, s.GradNorm, s.LR, s.StepsPerSec, s.SamplesPerSec, s.Elapsed.Round(time.Second), eta)
			if s.Skipped > 0 {
				fmt.Fprintf(stderr, "  skipped %d", s.Skipped)
			}
			fmt.Fprintln(stderr)
		}
	}
	r, err := model.Setup(c)
	var pe *fs.PathError
	switch {
	case err == nil:
		return r.Train, nil
	case errors.As(err, &pe) || errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("--data %s: %w", f.data, err)
	}
	return nil, usageError{err}
}

// decay is --lr-decay as train.Config takes it ("" for none).
func (f *trainFlags) decay() string {
	if f.lrDecay == "none" {
		return ""
	}
	return f.lrDecay
}

// execute runs (or resumes) training; SIGINT/SIGTERM finish the current
// step, write a checkpoint and return nil.
func (f *trainFlags) execute(cfg *train.Config, stdout, stderr io.Writer) (train.State, error) {
	var start train.State
	if f.resume {
		st, ok, err := train.Resume(cfg, func(e error) { fmt.Fprintf(stderr, "phasespace: warning: skipping checkpoint: %v\n", e) })
		if err != nil {
			return start, resumeError(err)
		}
		if ok {
			start = st
			fmt.Fprintf(stderr, "resuming from step %d\n", st.Step)
		}
	} else if model.HasCheckpoints(cfg.OutDir) {
		return start, usagef("--out %s already holds checkpoints: pass --resume to continue, or choose another directory", cfg.OutDir)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t0 := time.Now()
	st, err := train.Run(ctx, cfg, start)
	var ne *train.NumericalError
	switch {
	case errors.Is(err, train.ErrStopped):
		fmt.Fprintf(stdout, "stopped by signal at step %d; checkpoint written to %s (continue with --resume)\n", st.Step, train.CheckpointDir(cfg.OutDir))
		return st, nil
	case errors.As(err, &ne):
		return st, fmt.Errorf("step %d: %s is %v (diagnostic in %s); lower --lr, raise --numerical-eps or --loss-eps, or pass --skip-bad-batches", ne.Step, ne.Quantity, ne.Value, ne.Diagnostic)
	case err != nil:
		return st, err
	}
	if err := experiment.WriteLossPlot(cfg.OutDir); err != nil {
		warnf("loss plot: %v", err)
	}
	if st.Step < cfg.Steps {
		fmt.Fprintf(stdout, "time budget %v reached at step %d of %d\n", cfg.TimeBudget, st.Step, cfg.Steps)
	}
	fmt.Fprintf(stdout, "trained %d steps in %v (final EMA loss %.4f, %d skipped); checkpoints in %s, loss curve in %s\n",
		st.Step-start.Step, time.Since(t0).Round(time.Second), st.EMALoss, st.Skipped, train.CheckpointDir(cfg.OutDir), filepath.Join(cfg.OutDir, "loss.png"))
	return st, nil
}

// resumeError turns model.ResumeError into a usage error naming the flags.
func resumeError(err error) error {
	var re *model.ResumeError
	if !errors.As(err, &re) {
		return err
	}
	lines := make([]string, len(re.Changes))
	for i, c := range re.Changes {
		lines[i] = "--" + c.String()
	}
	return usagef("--resume: the run was started with other settings, which a resumed run cannot change:\n  %s\n"+
		"resume with the stored settings or train into another --out (may change on resume: --%s; --steps not with --lr-decay cosine)",
		strings.Join(lines, "\n  "), strings.Join(model.ResumableSettings, ", --"))
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlagSet("train")
	f := addTrainFlags(fs, 20000)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := f.setup(os.Stderr)
	if err != nil {
		return err
	}
	_, err = f.execute(cfg, stdout, os.Stderr)
	return err
}
