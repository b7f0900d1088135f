package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
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
	"phasespace/sde"
	"phasespace/train"
)

func init() {
	register("train", "train a score network (MLP for 2-D data, U-Net for images) with checkpoints and resume", runTrain)
}

// trainFlags are the train command's flags (also used by demo): the run's
// model.Config and the flags that are not its fields.
type trainFlags struct {
	c                         model.Config
	cmd                       string // the command, for checkFlags: train (default) or demo
	sf                        *sdeFlags
	weighting, lrDecay, param string
	channels                  string
	resume, mixed, quiet      bool
	adopted                   bool // --resume: flags not given were set to the run's stored values
}

func addTrainFlags(fs *flag.FlagSet, defaultSteps int64) *trainFlags {
	f := &trainFlags{cmd: "train", sf: addSDEFlags(fs, "cld")}
	c := &f.c
	fs.StringVar(&c.Data, "data", "8gaussians", "training data: a toy set (8gaussians, checkerboard, diamond, swissroll, moons, ...), a point file FILE.csv or FILE.npy (n×d), mnist, fashion-mnist, or a folder of IDX files or PNG/JPEG images (docs/data.md)")
	fs.Float64Var(&c.ValFrac, "val-frac", 0.1, "point files: fraction of the rows held out of training for eval, split with --seed (0 < f <= 0.5)")
	fs.StringVar(&f.weighting, "weighting", "eps", "loss weighting: eps (λ = ℓ⁻², sample quality) or ml (likelihood)")
	fs.Int64Var(&c.Steps, "steps", defaultSteps, "optimiser steps (>= 1)")
	fs.IntVar(&c.Batch, "batch", 512, "batch size (>= 1)")
	fs.Float64Var(&c.LR, "lr", 1e-3, "Adam learning rate (> 0)")
	fs.Int64Var(&c.Warmup, "warmup", 0, "linear learning-rate warm-up steps (>= 0)")
	fs.StringVar(&f.lrDecay, "lr-decay", "none", "learning rate after the warm-up: none (constant) or cosine (down to 0 at --steps)")
	fs.Float64Var(&c.Clip, "clip", 1, "global gradient-norm clip (0: none)")
	fs.Float64Var(&c.EMADecay, "ema", 0.999, "EMA decay in (0, 1)")
	fs.IntVar(&c.Net.Hidden, "hidden", 256, "MLP hidden width (>= 1)")
	fs.IntVar(&c.Net.Layers, "layers", 4, "MLP hidden layers (>= 1)")
	fs.IntVar(&c.Net.InputFourier, "input-fourier", 0, "MLP: random Fourier features of the input, sin and cos of this many frequencies (0: none)")
	fs.Float64Var(&c.Net.InputFourierScale, "input-fourier-scale", 1, "MLP: standard deviation of the input Fourier frequencies, in cycles per data unit (> 0)")
	fs.Uint64Var(&c.Seed, "seed", 0, "random seed (data, noise, initialisation)")
	fs.StringVar(&c.OutDir, "out", "", "output directory for checkpoints, loss.csv and loss.png (required)")
	fs.BoolVar(&f.resume, "resume", false, "continue from the newest valid checkpoint in --out, with the settings the run was started with: only --"+
		strings.Join(model.ResumableSettings(), ", --")+" may change (--steps not with --lr-decay cosine); any other change is refused")
	fs.BoolVar(&f.mixed, "mixed-score", true, "CLD with --param L: add the analytic −v/Σᵛᵛ part to the score")
	fs.StringVar(&f.param, "param", "L", "CLD, PSLD: what the network predicts. L: each SDE's own parameterisation (CLD only the velocity score, "+
		"PSLD ε under the Cholesky factor L_t); R: the full ε under gDDIM's R_t (s = −R_t⁻ᵀε, R_t R_tᵀ = Σ_t of the HSM kernel). "+
		"--sampler gddim needs the full score: R for CLD (PSLD: R, or L with --Gamma > 0); the other samplers use either")
	fs.Float64Var(&c.LossEps, "loss-eps", 1e-5, "smallest training time, t ~ U[loss-eps, 1]")
	fs.BoolVar(&c.ImportanceT, "importance-t", false, "importance-sample t (ml weighting only)")
	fs.Int64Var(&c.CheckpointEvery, "ckpt-every", 1000, "steps between checkpoints (0: only at the end)")
	fs.IntVar(&c.Keep, "keep", 3, "checkpoints to keep (>= 1)")
	fs.BoolVar(&c.SkipBadBatches, "skip-bad-batches", false, "skip and count steps with a non-finite loss or gradient instead of stopping")
	fs.IntVar(&c.Subset, "subset", 0, "images: use only the first N training images (0: all)")
	fs.BoolVar(&c.Downsample, "downsample", false, "images: 2x2 average-pool to 14x14")
	fs.IntVar(&c.ImageSize, "image-size", 0, "images: centre-crop to a square and resize to SxS with the Catmull-Rom filter, before --downsample (0: keep the size)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	fs.StringVar(&f.channels, "channels", "", "images: U-Net channels per resolution level, comma-separated (default: from the image size, nn.UNetChannelsFor: 32,64,128 at 28x28, 32,64 at 14x14)")
	fs.IntVar(&c.Net.NumRes, "num-res", 2, "images: U-Net residual blocks per level (1..8)")
	fs.Float64Var(&c.Net.Dropout, "dropout", 0.1, "images: U-Net dropout in [0, 1)")
	fs.DurationVar(&c.ProgressEvery, "progress-every", 2*time.Second, "progress line cadence")
	fs.DurationVar(&c.TimeBudget, "time-budget", 0, "stop (with a checkpoint) once training has run this long in total, resumed runs included, e.g. 30m (0: none; --steps still caps the run)")
	return f
}

// setup builds the run with model.Setup, which validates it: its errors
// are usage errors but for unreadable image files. Flags whose zero would
// mean a library default are refused at zero here.
func (f *trainFlags) setup(stderr io.Writer) (*train.Config, error) {
	c := f.c
	if err := refuseZeros(map[string]bool{"steps": c.Steps == 0, "batch": c.Batch == 0, "lr": c.LR == 0, "ema": c.EMADecay == 0,
		"hidden": c.Net.Hidden == 0, "layers": c.Net.Layers == 0, "num-res": c.Net.NumRes == 0, "input-fourier-scale": c.Net.InputFourierScale == 0,
		"loss-eps": c.LossEps == 0, "keep": c.Keep == 0, "progress-every": c.ProgressEvery == 0, "val-frac": c.ValFrac == 0}); err != nil {
		return nil, err
	}
	if c.OutDir == "" {
		return nil, usagef("--out is required: a directory for checkpoints and curves")
	} else if err := inRange("image-size", c.ImageSize, 0, 1024); err != nil {
		return nil, err
	}
	if f.sf.spec.NumericalEps == nil {
		f.sf.spec.NumericalEps = model.Float(model.DefaultToyNumericalEps) // the toy configuration of the reference code
	}
	var err error
	if c.Process, c.Objective, err = f.sf.build(); err == nil {
		err = parseFlag(&c.Weighting, "weighting", f.weighting, objective.ParseWeighting, "eps, ml")
	}
	if err != nil {
		return nil, err
	}
	if c.Param, err = sde.ParseFactor(f.param); err != nil {
		return nil, usagef("--param: %v", err)
	}
	u := useContext{SDE: c.Process.Kind, Data: c.Data, Image: dataset.IsImage(c.Data), Weighting: c.Weighting.String(),
		InputFourier: c.Net.InputFourier > 0, Quiet: f.quiet, Param: c.Param.String()}
	if err := checkFlags(f.cmd, f.sf.fs, u); err != nil && !f.adopted {
		return nil, err // (the stored settings of a resumed run were checked when it started)
	}
	if c.Net.Channels, err = model.ParseChannels(f.channels); f.channels != "" && err != nil { // "": the default
		return nil, usagef("--channels: %v", err)
	}
	if c.NoMixedScore = !f.mixed; f.lrDecay != "none" {
		c.LRDecay = f.lrDecay
	}
	if !f.quiet {
		c.Progress = func(s train.Status) { fmt.Fprintln(stderr, s) }
	}
	r, err := model.Setup(c)
	var pe *fs.PathError
	var fe *dataset.FileError // a point file that is unreadable or invalid
	switch {
	case err == nil:
		return r.Train, nil
	case errors.As(err, &pe) || errors.Is(err, fs.ErrNotExist) || errors.As(err, &fe):
		return nil, fmt.Errorf("--data %s: %w", c.Data, err)
	}
	return nil, usageError{configError(err)}
}

// execute runs (or resumes) training; SIGINT/SIGTERM finish the current
// step, write a checkpoint and return nil.
func (f *trainFlags) execute(cfg *train.Config, stdout, stderr io.Writer) error {
	var start train.State
	if f.resume {
		st, ok, err := train.Resume(cfg, func(e error) { fmt.Fprintf(stderr, "phasespace: warning: skipping checkpoint: %v\n", e) })
		if err != nil {
			if f.adoptStoredSettings(err) {
				return f.run(stdout, stderr) // once more, with the stored settings
			}
			if re := (*model.ResumeError)(nil); errors.As(err, &re) {
				return usagef("--resume: %s", re.Explain("--"))
			}
			return err
		}
		if ok {
			start = st
			fmt.Fprintf(stderr, "resuming from step %d\n", st.Step)
		}
	} else if model.HasCheckpoints(cfg.OutDir) {
		return usagef("--out %s already holds checkpoints: pass --resume to continue, or choose another directory", cfg.OutDir)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t0 := time.Now()
	st, err := train.Run(ctx, cfg, start)
	var ne *train.NumericalError
	switch {
	case errors.Is(err, train.ErrStopped):
		fmt.Fprintf(stdout, "stopped by signal at step %d; checkpoint written to %s (continue with --resume)\n", st.Step, train.CheckpointDir(cfg.OutDir))
		return nil
	case errors.As(err, &ne):
		return fmt.Errorf("step %d: %s is %v (diagnostic in %s); lower --lr, raise --numerical-eps or --loss-eps, or pass --skip-bad-batches", ne.Step, ne.Quantity, ne.Value, ne.Diagnostic)
	case err != nil:
		return err
	}
	if err := experiment.WriteLossPlot(cfg.OutDir); err != nil {
		warnf("loss plot: %v", err)
	}
	if st.Step < cfg.Steps {
		fmt.Fprintf(stdout, "time budget %v reached at step %d of %d\n", cfg.TimeBudget, st.Step, cfg.Steps)
	}
	fmt.Fprintf(stdout, "trained %d steps in %v (final EMA loss %.4f, %d skipped); checkpoints in %s, loss curve in %s\n",
		st.Step-start.Step, time.Since(t0).Round(time.Second), st.EMALoss, st.Skipped, train.CheckpointDir(cfg.OutDir), filepath.Join(cfg.OutDir, "loss.png"))
	return nil
}

// adoptStoredSettings sets, once, the flags not given to a resumed run's
// stored settings (model.ResumeError.Adopt), reporting whether it did.
func (f *trainFlags) adoptStoredSettings(err error) bool {
	var re *model.ResumeError
	given := map[string]bool{}
	f.sf.fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	ok := !f.adopted && errors.As(err, &re) && re.Adopt(func(s string) bool { return given[s] }, f.sf.fs.Set)
	f.adopted = true
	return ok
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlagSet("train")
	f := addTrainFlags(fs, 20000)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return f.run(stdout, os.Stderr)
}

// run sets the run up and trains it.
func (f *trainFlags) run(stdout, stderr io.Writer) error {
	cfg, err := f.setup(stderr)
	if err != nil {
		return err
	}
	return f.execute(cfg, stdout, stderr)
}
