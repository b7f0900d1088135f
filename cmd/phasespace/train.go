package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"phasespace/checkpoint"
	"phasespace/figure"
	"phasespace/nn"
	"phasespace/objective"
	"phasespace/sde"
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
		strings.Join(resumableFlags, ", --")+" may change (--steps not with --lr-decay cosine); any other change is refused")
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

func (f *trainFlags) check() error {
	switch {
	case f.steps < 1:
		return usagef("--steps = %d: want >= 1", f.steps)
	case f.batch < 1:
		return usagef("--batch = %d: want >= 1", f.batch)
	case !(f.lr > 0) || math.IsInf(f.lr, 0):
		return usagef("--lr = %v: want a finite value > 0", f.lr)
	case f.warmup < 0:
		return usagef("--warmup = %d: want >= 0", f.warmup)
	case f.lrDecay != "none" && f.lrDecay != train.LRCosine:
		return usagef("--lr-decay = %q: want none or %s", f.lrDecay, train.LRCosine)
	case !(f.clip >= 0) || math.IsInf(f.clip, 0):
		return usagef("--clip = %v: want a finite value >= 0", f.clip)
	case !(f.emaDecay >= 0 && f.emaDecay < 1):
		return usagef("--ema = %v: want 0 <= decay < 1", f.emaDecay)
	case f.hidden < 1 || f.hidden > 65536:
		return usagef("--hidden = %d: want 1..65536", f.hidden)
	case f.layers < 1 || f.layers > 64:
		return usagef("--layers = %d: want 1..64", f.layers)
	case f.inputFourier < 0 || f.inputFourier > 4096:
		return usagef("--input-fourier = %d: want 0..4096 frequencies", f.inputFourier)
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

// decay is --lr-decay as train.Config takes it ("" for none).
func (f *trainFlags) decay() string {
	if f.lrDecay == "none" {
		return ""
	}
	return f.lrDecay
}

// setup builds the objective, data source, engine and loop configuration.
func (f *trainFlags) setup(stderr io.Writer) (*train.Config, runMeta, error) {
	if err := f.check(); err != nil {
		return nil, runMeta{}, err
	}
	if !f.sf.given()["numerical-eps"] {
		f.sf.eps = 1e-6 // the toy configuration of the reference code
	}
	p, obj, err := f.sf.build()
	if err != nil {
		return nil, runMeta{}, err
	}
	w, err := objective.ParseWeighting(f.weighting)
	if err != nil {
		return nil, runMeta{}, usagef("--weighting: %v", err)
	}
	par, err := objective.ParseParam(f.param)
	if err != nil {
		return nil, runMeta{}, usagef("--param: %v", err)
	}
	u := useContext{SDE: p.Kind, Data: f.data, Image: isImageData(f.data), Weighting: w.String(),
		InputFourier: f.inputFourier > 0, Quiet: f.quiet, Param: par.String()}
	if err := checkFlags(f.cmd, f.sf.fs, u); err != nil {
		return nil, runMeta{}, err
	}
	if p.Kind == sde.VP {
		par = objective.ParamL // R = σ_t: the same model (--param does not apply to vp)
	}
	oc := &objective.Config{Process: p, Objective: obj, Weighting: w, MixedScore: f.mixed && p.Kind == sde.CLD && par == objective.ParamL,
		Param: par, LossEps: f.lossEps, ImportanceT: f.importanceT}
	if err := oc.Validate(); err != nil {
		return nil, runMeta{}, usageError{err}
	}
	data, scaling, err := openTrainData(f.data, f.subset, f.downsample)
	if err != nil {
		return nil, runMeta{}, err
	}
	d := data.Dim()
	net, err := f.network(oc, d)
	if err != nil {
		return nil, runMeta{}, err
	}
	eng, err := train.NewNNEngine(net, f.emaDecay)
	if err != nil {
		return nil, runMeta{}, err
	}
	meta := runMeta{Version: 1, SDE: paramsOf(p), Objective: obj.String(), Weighting: w.String(), MixedScore: oc.MixedScore, Param: par.String(),
		LossEps: f.lossEps, ImportanceT: f.importanceT, Data: f.data, Dim: d, Scaling: scaling, Downsample: f.downsample, Subset: f.subset,
		Steps: f.steps, Batch: f.batch, LR: f.lr, Warmup: f.warmup, LRDecay: f.decay(), Clip: f.clip, EMADecay: f.emaDecay, Seed: f.seed,
		Sampler: "sscs", NFE: 200, Net: &netMeta{}}
	if d == 2 {
		meta.Net.Hidden, meta.Net.Layers, meta.Net.InputFourier = f.hidden, f.layers, f.inputFourier
		if f.inputFourier > 0 {
			meta.Net.InputFourierScale = f.inputFourierScale
		}
	} else {
		meta.Net.Channels, meta.Net.NumRes, meta.Net.Dropout = f.channels, f.numRes, f.dropout
	}
	if p.Kind == sde.VP {
		meta.Sampler, meta.NFE = "ode", 0
	}
	cfg := &train.Config{
		Objective: oc, Engine: eng, Data: data,
		Steps: f.steps, BatchSize: f.batch, LR: f.lr, Warmup: f.warmup, LRDecay: f.decay(), Clip: f.clip, Seed: f.seed,
		OutDir: f.out, CheckpointEvery: f.ckptEvery, KeepCheckpoints: f.keep, ProgressEvery: f.progressEvery,
		SkipBadBatches: f.skipBad, TimeBudget: f.timeBudget, Meta: meta, CheckResume: checkResume(meta),
	}
	if !f.quiet {
		cfg.Progress = func(s train.Status) {
			eta := s.ETA.Round(time.Second)
			fmt.Fprintf(stderr, "step %d/%d  loss %.4f  ema-loss %.4f  |g| %.3g  lr %.2g  %.1f steps/s  %.0f samples/s  elapsed %v  ETA %v",
				s.Step, s.Steps, s.Loss, s.EMALoss, s.GradNorm, s.LR, s.StepsPerSec, s.SamplesPerSec, s.Elapsed.Round(time.Second), eta)
			if s.Skipped > 0 {
				fmt.Fprintf(stderr, "  skipped %d", s.Skipped)
			}
			fmt.Fprintln(stderr)
		}
	}
	return cfg, meta, nil
}

// execute runs (or resumes) training; SIGINT/SIGTERM finish the current
// step, write a checkpoint and return nil.
func (f *trainFlags) execute(cfg *train.Config, stdout, stderr io.Writer) (train.State, error) {
	var start train.State
	if f.resume {
		st, ok, err := train.Resume(cfg, func(e error) { fmt.Fprintf(stderr, "phasespace: warning: skipping checkpoint: %v\n", e) })
		if err != nil {
			return start, err
		}
		if ok {
			start = st
			fmt.Fprintf(stderr, "resuming from step %d\n", st.Step)
		}
	} else if _, _, err := checkpoint.Latest(train.CheckpointDir(cfg.OutDir)); err == nil {
		return start, usagef("--out %s already holds checkpoints: pass --resume to continue, or choose another directory", cfg.OutDir)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	t0 := time.Now()
	st, err := train.Run(ctx, cfg, start)
	if errors.Is(err, train.ErrStopped) {
		fmt.Fprintf(stdout, "stopped by signal at step %d; checkpoint written to %s (continue with --resume)\n", st.Step, train.CheckpointDir(cfg.OutDir))
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := writeLossPlot(filepath.Join(cfg.OutDir, "loss.csv"), filepath.Join(cfg.OutDir, "loss.png")); err != nil {
		warnf("loss plot: %v", err)
	}
	if st.Step < cfg.Steps {
		fmt.Fprintf(stdout, "time budget %v reached at step %d of %d\n", cfg.TimeBudget, st.Step, cfg.Steps)
	}
	fmt.Fprintf(stdout, "trained %d steps in %v (final EMA loss %.4f, %d skipped); checkpoints in %s, loss curve in %s\n",
		st.Step-start.Step, time.Since(t0).Round(time.Second), st.EMALoss, st.Skipped, train.CheckpointDir(cfg.OutDir), filepath.Join(cfg.OutDir, "loss.png"))
	return st, nil
}

// network builds the score network: the MLP for 2-D data, the U-Net for
// square single-channel images (x and v stacked as channels).
func (f *trainFlags) network(oc *objective.Config, d int) (nn.Model, error) {
	if d == 2 {
		mc := nn.DefaultMLPConfig(oc.InDim(d), oc.OutDim(d))
		mc.Hidden, mc.Depth, mc.Seed = f.hidden, f.layers, f.seed+1
		if f.inputFourier > 0 {
			mc.InputFourier, mc.InputFourierScale = f.inputFourier, f.inputFourierScale
		}
		return nn.NewMLP(mc)
	}
	size := int(math.Round(math.Sqrt(float64(d))))
	if size*size != d {
		return nil, usagef("--data %s: %d values per sample is not a square image", f.data, d)
	}
	uc := nn.DefaultUNetConfig(oc.InDim(d)/d, oc.OutDim(d)/d)
	uc.Size, uc.NumRes, uc.Dropout, uc.Seed = size, f.numRes, f.dropout, f.seed+1
	uc.Channels = nn.UNetChannelsFor(size)
	if f.channels != "" {
		uc.Channels = nil
		for _, c := range strings.Split(f.channels, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(c))
			if err != nil || v < 1 || v > 1024 {
				return nil, usagef("--channels %q: want comma-separated widths 1..1024", f.channels)
			}
			uc.Channels = append(uc.Channels, v)
		}
	}
	if f.numRes < 1 || f.numRes > 8 {
		return nil, usagef("--num-res = %d: want 1..8", f.numRes)
	}
	if !(f.dropout >= 0 && f.dropout < 1) {
		return nil, usagef("--dropout = %v: want 0 <= p < 1", f.dropout)
	}
	uc.Groups = gcdAll(uc.Channels, 8)
	if size%(1<<(len(uc.Channels)-1)) != 0 {
		return nil, usagef("--channels: %d levels need the image size %d to be divisible by %d", len(uc.Channels), size, 1<<(len(uc.Channels)-1))
	}
	m, err := nn.NewUNet(uc)
	if err != nil {
		return nil, usageError{err}
	}
	return m, nil
}

// gcdAll returns the largest g <= limit dividing every width.
func gcdAll(ws []int, limit int) int {
	for g := limit; g > 1; g-- {
		ok := true
		for _, w := range ws {
			ok = ok && w%g == 0
		}
		if ok {
			return g
		}
	}
	return 1
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlagSet("train")
	f := addTrainFlags(fs, 20000)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, _, err := f.setup(os.Stderr)
	if err != nil {
		return err
	}
	_, err = f.execute(cfg, stdout, os.Stderr)
	return err
}

// writeLossPlot draws loss.csv (loss and its EMA against the step) as a PNG.
func writeLossPlot(csvPath, pngPath string) error {
	steps, loss, ema, err := train.ReadCurve(csvPath)
	if err != nil {
		return err
	}
	return figure.Lines(pngPath, "training loss", "step", "loss", false, 720, 420,
		figure.Series{Name: "loss", X: steps, Y: loss}, figure.Series{Name: "EMA of loss", X: steps, Y: ema})
}
