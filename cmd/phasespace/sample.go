package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"phasespace/dataset"
	"phasespace/exact"
	"phasespace/figure"
	"phasespace/sampler"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/toy"
)

func init() {
	register("sample", "draw samples with EM, SSCS, gDDIM or the probability-flow ODE from the exact score or a checkpoint", runSample)
}

// sampleFlags are the flags of the sample command.
type sampleFlags struct {
	sdeF          *sdeFlags
	exactName     string
	ckpt          string
	method        string
	nfe, n        int
	seed          uint64
	out, traj     string
	rtol, atol    float64
	striding      string
	eps           float64
	noDenoise     bool
	order         int
	param         string
	sscsScoreTime string
	sscsBetaRule  string
}

// trackedPaths is the number of samples whose trajectories are drawn.
const trackedPaths = 6

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
	fs.StringVar(&f.striding, "striding", "uniform", "em/sscs/gddim time grid: uniform or quadratic")
	fs.IntVar(&f.order, "order", 3, "gddim: multistep order 1, 2 or 3 (the first steps warm-start at lower order at no extra NFE)")
	fs.StringVar(&f.param, "param", "R", "gddim: square root K_t of Σ_t in s = −K_t⁻ᵀε: R (gDDIM's R_t) or L (Cholesky factor)")
	fs.Float64Var(&f.eps, "eps", 1e-3, "smallest forward time ε, in (0, 0.5]")
	fs.BoolVar(&f.noDenoise, "no-denoise", false, "skip the final denoising step from ε to 0")
	fs.StringVar(&f.sscsScoreTime, "sscs-score", sampler.DefaultScoreTime.String(), "sscs: time of the score step, midpoint or start (docs/samplers.md, SSCS conventions)")
	fs.StringVar(&f.sscsBetaRule, "sscs-beta", sampler.DefaultHalfStepBeta.String(), "sscs: β of the two A half-steps, per-half or first-half (docs/samplers.md, SSCS conventions)")
	fs.StringVar(&f.traj, "trajectories", "", "also draw the phase-space paths (x₁, v₁) of a few samples into this .png")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, name, err := f.config(fs)
	if err != nil {
		return err
	}
	paths := make([][][4]float64, trackedPaths)
	prog := sampler.NewProgress(os.Stderr, cfg)
	cfg.Callback = func(s sampler.Step) {
		prog.Step(s)
		if f.traj != "" {
			sampler.RecordPaths(paths, s, cfg.Model.Dim())
		}
	}
	x, st, err := sampler.Sample(cfg, f.n)
	prog.Done()
	if err != nil {
		return err
	}
	d := cfg.Model.Dim()
	title := fmt.Sprintf("%s, %v %v, %d NFE", name, cfg.Process.Kind, cfg.Method, st.NFE)
	switch {
	case isPNG(f.out) && d != 2:
		err = figure.SampleImages(f.out, x, d)
	case isPNG(f.out):
		err = figure.Panels(f.out, 420, figure.Panel{Title: title, Points: x}, figure.Panel{Title: "density", Points: x, Density: true})
	default:
		err = writeSamplesCSV(f.out, x, d)
	}
	if err != nil {
		return err
	}
	if f.traj != "" {
		if err := figure.Trajectories(f.traj, title, paths[:min(trackedPaths, f.n)], 420); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "sampled %d points of %s with %v %v: %d NFE (%s), %d steps, %v (%.0f samples/s)\n",
		f.n, name, cfg.Process.Kind, cfg.Method, st.NFE, st.Note(cfg), st.Steps, st.Wall.Round(time.Millisecond), st.SamplesPerSecond(f.n))
	fmt.Fprintf(stdout, "wrote %s", f.out)
	if f.traj != "" {
		fmt.Fprintf(stdout, " and %s", f.traj)
	}
	fmt.Fprintln(stdout)
	return nil
}

func isPNG(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".png") }

// config validates the flags and builds the sampler configuration; the
// second result names the model.
func (f *sampleFlags) config(fs *flag.FlagSet) (sampler.Config, string, error) {
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { given[fl.Name] = true })
	var c sampler.Config
	m, err := sampler.ParseMethod(f.method)
	if err != nil {
		return c, "", usagef("--sampler %q: valid are em, sscs, ode, gddim", f.method)
	}
	c.Method = m
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
	if m == sampler.GDDIM {
		if f.order < 1 || f.order > 3 {
			return c, "", usagef("--order = %d: want 1, 2 or 3", f.order)
		}
		if c.Param, err = sampler.ParseParam(f.param); err != nil {
			return c, "", usagef("--param %q: valid are R, L", f.param)
		}
		c.Order = f.order
	}
	if m == sampler.ODE {
		for _, tol := range []struct {
			name string
			v    float64
		}{{"rtol", f.rtol}, {"atol", f.atol}} {
			if !(tol.v > 0 && tol.v < 1) {
				return c, "", usagef("--%s = %v: want a value in (0, 1)", tol.name, tol.v)
			}
		}
		c.RTol, c.ATol = f.rtol, f.atol
	} else {
		minNFE := 2
		if f.noDenoise {
			minNFE = 1
		}
		if f.nfe < minNFE || f.nfe > 1_000_000 {
			return c, "", usagef("--nfe = %d: want %d..1000000 for --sampler %s (N−1 steps plus the denoising step)", f.nfe, minNFE, f.method)
		}
		c.NFE = f.nfe
		if c.Striding, err = sampler.ParseStriding(f.striding); err != nil {
			return c, "", usagef("--striding %q: valid are uniform, quadratic", f.striding)
		}
		if c.SSCSScore, err = sampler.ParseScoreTime(f.sscsScoreTime); err != nil {
			return c, "", usagef("--sscs-score %q: valid are midpoint, start", f.sscsScoreTime)
		}
		if c.SSCSBeta, err = sampler.ParseHalfStepBeta(f.sscsBetaRule); err != nil {
			return c, "", usagef("--sscs-beta %q: valid are per-half, first-half", f.sscsBetaRule)
		}
	}
	if !(f.eps > 0 && f.eps <= 0.5) {
		return c, "", usagef("--eps = %v: want a value in (0, 0.5]", f.eps)
	}
	c.Eps, c.NoDenoise, c.Seed = f.eps, f.noDenoise, f.seed
	if f.n < 1 || f.n > dataset.MaxCSVRows {
		return c, "", usagef("--n = %d: want 1..%d", f.n, dataset.MaxCSVRows)
	}
	if f.out == "" {
		return c, "", usagef("--out is required: a .csv or .png file")
	}
	if f.traj != "" && !isPNG(f.traj) {
		return c, "", usagef("--trajectories %q: want a .png file", f.traj)
	}
	p, model, name, err := f.scoreModel(given, m)
	if err != nil {
		return c, "", err
	}
	c.Process, c.Model = p, model
	if isPNG(f.out) && model.Dim() != 2 && figure.ImageSide(model.Dim()) == 0 {
		return c, "", usagef("--out %s: PNG output needs 2-D data or square images, the model has dimension %d (use .csv)", f.out, model.Dim())
	}
	if f.traj != "" && model.Dim() != 2 {
		return c, "", usagef("--trajectories needs 2-D data, the model has dimension %d", model.Dim())
	}
	return c, name, nil
}

// scoreModel returns the process and the score model to sample: the exact
// score of a mixture data set (--exact) or a trained checkpoint (--ckpt).
func (f *sampleFlags) scoreModel(given map[string]bool, m sampler.Method) (*sde.Process, score.Model, string, error) {
	switch {
	case f.exactName != "" && f.ckpt != "":
		return nil, nil, "", usagef("give one of --exact NAME or --ckpt DIR, not both")
	case f.exactName != "":
		mix, ok := toy.Mixture(f.exactName)
		if !ok {
			return nil, nil, "", usagef("--exact %q: the exact score exists for 8gaussians, diamond and gaussian", f.exactName)
		}
		p, _, err := f.sdeF.build()
		if err != nil {
			return nil, nil, "", err
		}
		o, err := exact.New(p, mix)
		if err != nil {
			return nil, nil, "", err
		}
		return p, o, "exact " + f.exactName, nil
	case f.ckpt != "":
		lm, err := loadCheckpoint(f.ckpt)
		if err != nil {
			return nil, nil, "", err
		}
		if err := checkFullScore(lm, m); err != nil {
			return nil, nil, "", err
		}
		return lm.Process, lm.Score, fmt.Sprintf("%s step %d", lm.Meta.Data, lm.Step), nil
	}
	return nil, nil, "", usagef("a score model is required: --exact NAME (8gaussians, diamond, gaussian) or --ckpt DIR")
}
