package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"phasespace/dataset"
	"phasespace/experiment"
	"phasespace/figure"
	"phasespace/sampler"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/shard"
)

func init() {
	register("sample", "draw samples with EM, SSCS, gDDIM or the probability-flow ODE from the exact score or a checkpoint", runSample)
}

// sampleFlags are the flags of the sample command.
type sampleFlags struct {
	sdeF                                                *sdeFlags
	exactName, ckpt, method, out, traj, striding, param string
	sscsScoreTime, sscsBetaRule, model                  string
	nfe, n, order, batch, channels                      int // channels: of a checkpoint's images
	shard                                               func() (shard.Spec, string, error)
	seed                                                uint64
	rtol, atol, eps                                     float64
	noDenoise                                           bool
	std                                                 *dataset.Standardisation // a point-file checkpoint's, for its units
	columns                                             []string                 // and its column names
}

func runSample(args []string, stdout io.Writer) error {
	fs := newFlagSet("sample")
	f := &sampleFlags{sdeF: addSDEFlags(fs, "cld")}
	fs.StringVar(&f.exactName, "exact", "", "use the exact score of a mixture data set: 8gaussians, diamond or gaussian")
	fs.StringVar(&f.ckpt, "ckpt", "", "use the trained score model of a checkpoint directory (instead of --exact; its SDE is used)")
	fs.StringVar(&f.method, "sampler", "sscs", "sampler: em, sscs, ode or gddim (exponential integrator, docs/samplers.md)")
	fs.IntVar(&f.nfe, "nfe", 200, "em/sscs/gddim: total score evaluations including the denoising step (2..1000000);\ngddim spends one per step, its lower-order warm-start steps included")
	fs.IntVar(&f.n, "n", 2000, fmt.Sprintf("number of samples (1..%d)", dataset.MaxCSVRows))
	fs.Uint64Var(&f.seed, "seed", 0, "random seed")
	fs.StringVar(&f.out, "out", "", "output file: .csv (one sample per line) or .png (scatter and density plot, 2-D data)")
	fs.Float64Var(&f.rtol, "rtol", 1e-5, "ode: relative tolerance, in (0, 1)")
	fs.Float64Var(&f.atol, "atol", 1e-5, "ode: absolute tolerance, in (0, 1)")
	fs.StringVar(&f.striding, "striding", "", "em/sscs/gddim time grid: uniform or quadratic (default: quadratic for gddim, uniform for em and sscs)")
	fs.IntVar(&f.order, "order", 3, "gddim: multistep order 1, 2 or 3 (the first steps warm-start at lower order at no extra NFE)")
	fs.StringVar(&f.param, "param", "R", "gddim: square root K_t of Σ_t in s = −K_t⁻ᵀε: R (gDDIM's R_t) or L (Cholesky factor)")
	fs.Float64Var(&f.eps, "eps", 1e-3, "smallest forward time ε, in (0, T) (T = 1)")
	fs.BoolVar(&f.noDenoise, "no-denoise", false, "skip the final denoising step from ε to 0")
	fs.StringVar(&f.sscsScoreTime, "sscs-score", sampler.DefaultScoreTime.String(), "sscs: time of the score step, midpoint or start (docs/samplers.md, SSCS conventions)")
	fs.StringVar(&f.sscsBetaRule, "sscs-beta", sampler.DefaultHalfStepBeta.String(), "sscs: β of the two A half-steps, per-half or first-half (docs/samplers.md, SSCS conventions)")
	fs.StringVar(&f.traj, "trajectories", "", "also draw the phase-space paths (x₁, v₁) of a few samples into this .png")
	fs.IntVar(&f.batch, "batch", 0, fmt.Sprintf("samples drawn at once (0: %d): memory grows with it, not with --n; ode samples depend on it", sampler.DefaultBatch))
	f.shard = shardFlags(fs, "samples")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, name, err := f.config(fs)
	if err != nil {
		return err
	}
	if sh, from, err := f.shard(); err != nil || sh.On() {
		return f.sampleShard(stdout, fs, cfg, sh, from, err)
	}
	st, err := experiment.SampleFile(experiment.SampleOutput{Path: f.out, Trajectories: f.traj, Name: name, Progress: os.Stderr, Channels: f.channels, Standardisation: f.std, Columns: f.columns}, cfg, f.n, f.batch)
	if err != nil {
		return configError(err)
	}
	fmt.Fprintf(stdout, "sampled %d points of %s with %v %v: %d NFE (%s), %d steps, %v (%.0f samples/s)\n",
		f.n, name, cfg.Process.Kind, cfg.Method, st.NFE, st.Note(cfg), st.Steps, st.Wall.Round(time.Millisecond), st.SamplesPerSecond(f.n))
	fmt.Fprintf(stdout, "wrote %s\n", strings.TrimSuffix(f.out+" and "+f.traj, " and "))
	return nil
}

// config validates the flags and builds the sampler configuration; the
// second result names the model.
func (f *sampleFlags) config(fs *flag.FlagSet) (c sampler.Config, name string, err error) {
	if err := parseFlag(&c.Method, "sampler", f.method, sampler.ParseMethod, "em, sscs, ode, gddim"); err != nil {
		return c, "", err
	}
	u := useContext{Source: "ckpt", Sampler: f.method}
	if f.ckpt == "" {
		u.Source = "exact"
		if u.SDE, err = f.sdeF.kind(); err != nil {
			return c, "", err
		}
	}
	if err := checkFlags("sample", fs, u); err != nil {
		return c, "", err
	}
	switch {
	case f.out == "":
		return c, "", usagef("--out is required: a .csv or .png file")
	case f.traj != "" && !experiment.IsPNG(f.traj):
		return c, "", usagef("--trajectories %q: want a .png file", f.traj)
	}
	if c.Method == sampler.GDDIM {
		c.Order, err = f.order, parseFlag(&c.Param, "param", f.param, sde.ParseFactor, "R, L")
	} else if c.Method == sampler.ODE {
		c.RTol, c.ATol, err = f.rtol, f.atol, checkTolerances(f.rtol, f.atol)
	}
	if c.Method != sampler.ODE {
		c.NFE = f.nfe
		if f.striding != "" { // "": the sampler's default
			err = firstErr(err, parseFlag(&c.Striding, "striding", f.striding, sampler.ParseStriding, "uniform, quadratic"))
		}
		err = firstErr(err,
			parseFlag(&c.SSCSScore, "sscs-score", f.sscsScoreTime, sampler.ParseScoreTime, "midpoint, start"),
			parseFlag(&c.SSCSBeta, "sscs-beta", f.sscsBetaRule, sampler.ParseHalfStepBeta, "per-half, first-half"))
	}
	if err := firstErr(err, inRange("n", f.n, 1, dataset.MaxCSVRows), inRange("batch", f.batch, 0, 1_000_000), refuseZeros(map[string]bool{"eps": f.eps == 0})); err != nil {
		return c, "", err
	}
	c.Eps, c.NoDenoise, c.Seed = f.eps, f.noDenoise, f.seed
	if c.Process, c.Model, name, err = f.scoreModel(c.Method); err == nil {
		err = configError(c.Check(f.n))
	}
	if err != nil {
		return c, "", err
	}
	if d := c.Model.Dim(); experiment.IsPNG(f.out) && d != 2 && figure.ImageSide(d/max(f.channels, 1)) == 0 && f.std == nil {
		return c, "", usagef("--out %s: PNG output needs points or square images, the model has dimension %d (use .csv)", f.out, d)
	} else if f.traj != "" && d != 2 {
		return c, "", usagef("--trajectories needs 2-D data, the model has dimension %d", d)
	}
	return c, name, nil
}

// scoreModel returns the process and the score model to sample: the exact
// score of a mixture data set (--exact) or a trained checkpoint (--ckpt).
func (f *sampleFlags) scoreModel(m sampler.Method) (*sde.Process, score.Model, string, error) {
	switch {
	case f.exactName != "" && f.ckpt != "":
		return nil, nil, "", usagef("give one of --exact NAME or --ckpt DIR, not both")
	case f.exactName != "":
		p, o, err := f.sdeF.exactScore(f.exactName)
		f.model = "exact " + f.exactName
		return p, o, f.model, err
	case f.ckpt != "":
		lm, err := loadCheckpoint(f.ckpt)
		if err == nil {
			err = checkFullScore(lm, m)
		}
		if err != nil {
			return nil, nil, "", err
		}
		f.model, f.channels, f.std, f.columns = lm.Identity(), lm.Meta.Channels, lm.Standardisation(), lm.Columns()
		return lm.Process, lm.Score, fmt.Sprintf("%s step %d", lm.Meta.Data, lm.Step), nil
	}
	return nil, nil, "", usagef("a score model is required: --exact NAME (8gaussians, diamond, gaussian) or --ckpt DIR")
}

// sampleShard draws the samples of shard sh (from: where it came from)
// into --out DIR/shard-i-of-N with a manifest, unless that shard is done;
// err (of resolving the shard) refuses the run before anything is written.
func (f *sampleFlags) sampleShard(stdout io.Writer, fs *flag.FlagSet, cfg sampler.Config, sh shard.Spec, from string, err error) error {
	if err != nil || f.traj != "" {
		return firstErr(err, usagef("--trajectories does not apply to a shard (%s): it writes samples.csv into --out DIR", from))
	}
	line, err := experiment.SampleShard(f.out, shard.Manifest{Command: "sample", Model: f.model, Seed: f.seed, N: f.n, Shard: sh, ConfigHash: shard.FlagHash(fs, "out", "shard", "shards"), Settings: shard.FlagSettings(fs, "out", "shard", "shards")}, cfg, f.batch, f.std, from)
	fmt.Fprint(stdout, line)
	return configError(err)
}
