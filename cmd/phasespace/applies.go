package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"phasespace/dataset"
	"phasespace/internal/flagrule"
	"phasespace/sde"
)

// Flag applicability: one table says, for every flag of every command, in
// which circumstances it has an effect; a command calls checkFlags once it
// knows its circumstances (the SDE, the data, the sampler, the metrics), and
// every flag given on the command line that has no effect there is a usage
// error naming the flag, where it applies and what was chosen instead.
// A flag without an entry is an internal error, and a test walks every
// command's flag set, so a new flag cannot be forgotten: add its name to
// the command's list of flags that always apply, or its conditions to the
// command's map (a flag of a new sampler: "order": {samplerIn("gddim")}).

// useContext is what decides whether a flag has an effect.
type useContext struct {
	SDE            sde.Kind // the diffusion (0: none, as for eval --samples)
	Source         string   // eval, sample: "exact", "ckpt" or "samples"
	Data           string   // the data set's name, for messages
	Image          bool     // image data (U-Net) rather than 2-D toy data (MLP)
	Weighting      string   // train: eps or ml
	Param          string   // train: L or R
	InputFourier   bool     // train: --input-fourier > 0
	Quiet          bool     // train: --quiet
	Divergence     string   // eval: exact or hutchinson (as used)
	Likelihood     bool     // eval: nll or bpd requested
	SampleMetrics  bool     // eval: a metric of samples drawn from the model
	FeatureMetrics bool     // eval: fd, kid, pr or classes
	Sampler        string   // sample: em, sscs or ode
	Points         bool     // eval: --points given
}

type (
	cond = flagrule.Cond[useContext]  // one circumstance a flag needs
	rule = flagrule.Rule[useContext]  // the conditions of a flag's effect
	tab  = flagrule.Table[useContext] // a command's flags and their rules
)

func choice(prep, flag string, get func(useContext) string, names ...string) cond {
	return flagrule.Choice(prep, flag, get, names...)
}
func fixed(when, here string, ok func(useContext) bool) cond { return flagrule.Fixed(when, here, ok) }
func on(names string, r ...cond) tab                         { return flagrule.On(names, r...) }
func rules(always string, tables ...tab) tab                 { return flagrule.Rules(always, tables...) }

// fromCkpt is eval's condition of --ckpt and a metric (ok) of kind what.
func fromCkpt(when, what string, ok func(useContext) bool) cond {
	return cond{When: "with --ckpt and " + when, OK: func(u useContext) bool { return u.Source == "ckpt" && ok(u) },
		Here: func(u useContext) string {
			if u.Source != "ckpt" {
				return "with --" + u.Source
			}
			return "without " + what + " in --metrics"
		}}
}

func sdeIn(kinds ...sde.Kind) cond {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	return choice("to", "sde", func(u useContext) string { return u.SDE.String() }, names...)
}

func samplerIn(names ...string) cond {
	return choice("to", "sampler", func(u useContext) string { return u.Sampler }, names...)
}

func imageData(want bool) cond {
	when, what := "to toy sets and point files (the MLP)", "image data"
	if want {
		when, what = "to image data (the U-Net)", "point data"
	}
	return cond{When: when, OK: func(u useContext) bool { return u.Image == want },
		Here: func(u useContext) string { return fmt.Sprintf("to --data %s (%s)", u.Data, what) }}
}

var (
	exactOnly = cond{When: "with --exact (a --ckpt fixes the SDE, --samples has none)", OK: func(u useContext) bool { return u.Source == "exact" },
		Here: func(u useContext) string { return "with --" + u.Source }}
	weightingML      = choice("with", "weighting", func(u useContext) string { return u.Weighting }, "ml")
	paramL           = choice("with", "param", func(u useContext) string { return u.Param }, "L")
	hutchinson       = choice("with", "divergence", func(u useContext) string { return u.Divergence }, "hutchinson")
	withFourier      = fixed("with --input-fourier > 0", "with --input-fourier 0", func(u useContext) bool { return u.InputFourier })
	notQuiet         = fixed("without --quiet", "with --quiet", func(u useContext) bool { return !u.Quiet })
	likelihoodMetric = fixed("with a likelihood metric (--metrics nll or bpd)", "without nll or bpd in --metrics", func(u useContext) bool { return u.Likelihood })
	sampledMetric    = fromCkpt("a metric of samples (ed, mmd, sw2, modes, fd, kid, pr, classes)", "a sample metric", func(u useContext) bool { return u.SampleMetrics })
	pointFile        = fixed("to a point file (--data FILE.csv or FILE.npy)", "to a toy or image set", func(u useContext) bool { return dataset.IsPoints(u.Data) })
	aModel           = fixed("with --exact or --ckpt", "with --samples", func(u useContext) bool { return u.Source != "samples" })
	givenPoints      = fixed("with --points FILE", "without --points", func(u useContext) bool { return u.Points })
	featureMetric    = fromCkpt("--metrics fd, kid, pr or classes", "a feature metric", func(u useContext) bool { return u.FeatureMetrics })
)

// sdeRules are the SDE flags' rules (addSDEFlags), each further limited by
// extra (e.g. to --exact for commands that can also read a checkpoint).
func sdeRules(extra ...cond) tab {
	with := func(names string, c ...cond) tab {
		return on(names, append(append(rule{}, extra...), c...)...)
	}
	return rules("", with("sde objective beta0 beta1 numerical-eps"), with("m-inv Gamma gamma", sdeIn(sde.CLD, sde.PSLD)), with("nu", sdeIn(sde.PSLD)))
}

// kernelOnly: the exact score is the marginal's, whatever the objective's
// initial condition, so --objective applies only to the kernel command.
var kernelOnly = fixed("to the kernel command", "to the exact score", func(useContext) bool { return false })

func trainRules() tab {
	mlp, unet := imageData(false), imageData(true)
	return rules("data weighting steps batch lr warmup lr-decay clip ema seed out resume loss-eps ckpt-every keep skip-bad-batches quiet time-budget",
		sdeRules(), on("mixed-score", sdeIn(sde.CLD), paramL), on("param", sdeIn(sde.CLD, sde.PSLD)), on("importance-t", weightingML),
		on("hidden layers input-fourier", mlp), on("input-fourier-scale", mlp, withFourier),
		on("subset downsample image-size channels num-res dropout", unet), on("progress-every", notQuiet), on("val-frac", pointFile))
}

// flagRules is the table: command → flag → the conditions of its effect.
var flagRules = map[string]tab{
	"train":  trainRules(),
	"demo":   rules("n nfe skip-nll", trainRules()),
	"kernel": rules("t json", sdeRules()),
	"sample": rules("exact ckpt sampler n seed out eps no-denoise trajectories batch shard shards", sdeRules(exactOnly), on("objective", exactOnly, kernelOnly),
		on("nfe striding", samplerIn("em", "sscs", "gddim")), on("sscs-score sscs-beta", samplerIn("sscs")),
		on("order param", samplerIn("gddim")), on("rtol atol", samplerIn("ode"))),
	"eval": rules("samples exact ckpt data metrics n seed json", on("out shard shards batch", fixed("with --exact or --ckpt", "with --samples", func(u useContext) bool { return u.Source != "samples" })), sdeRules(exactOnly), on("objective", exactOnly, kernelOnly),
		on("points", aModel), on("per-point", givenPoints),
		on("iw", likelihoodMetric, sdeIn(sde.CLD, sde.PSLD)), on("divergence rtol atol likelihood-eps", likelihoodMetric),
		on("probe probes", likelihoodMetric, hutchinson), on("sampler nfe", sampledMetric), on("classifier", featureMetric)),
	"data":       rules("name out", on("n seed", imageData(false)), on("image-size", imageData(true))),
	"classifier": rules("data downsample image-size epochs seed out floor-n json"),
	"imagebench": rules("data downsample sdes budget steps param train-threads channels num-res batch lr samplers n bpd-n sample-batch classifier seed out train-only rtol atol shard shards"),
	"results":    rules("data lr n nfe out runs seed steps rtol atol shard shards batch"),
	"merge":      rules("out"),
}

// stopAfterFlagCheck, set by tests, makes checkFlags return
// errFlagCheckPassed when every given flag applies, so that a test can run
// each command up to the check without the work that follows.
var stopAfterFlagCheck bool

var errFlagCheckPassed = errors.New("flag check passed (test stop)")

// checkFlags refuses, with one usage error, every flag given explicitly to
// command cmd (parsed by fs) that has no effect in circumstances u.
func checkFlags(cmd string, fs *flag.FlagSet, u useContext) error {
	table, ok := flagRules[cmd]
	if !ok {
		return fmt.Errorf("internal error: command %s has no flag applicability table", cmd)
	}
	msgs, missing := flagrule.Check(table, fs, u)
	if len(missing) > 0 {
		return fmt.Errorf("internal error: %s of %s have no applicability rule", strings.Join(missing, ", "), cmd)
	}
	if len(msgs) > 0 {
		return usagef("%s", strings.Join(msgs, "; "))
	}
	if stopAfterFlagCheck {
		return errFlagCheckPassed
	}
	return nil
}
