package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"

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
}

// cond is one circumstance a flag needs: when says it ("to --sde cld"),
// ok tests it and here says what was chosen instead ("to --sde vp").
type cond struct {
	when string
	ok   func(u useContext) bool
	here func(u useContext) string
}

// rule is the conditions under which a flag has an effect (none: always).
type rule []cond

// oneOf is the condition that a choice (--flag, read from u by get) is
// one of names.
func oneOf(flag string, get func(useContext) string, names ...string) cond {
	return cond{
		when: "to --" + flag + " " + strings.Join(names, " or "),
		ok:   func(u useContext) bool { return slices.Contains(names, get(u)) },
		here: func(u useContext) string { return "to --" + flag + " " + get(u) },
	}
}

func sdeIn(kinds ...sde.Kind) cond {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	return oneOf("sde", func(u useContext) string { return u.SDE.String() }, names...)
}

func samplerIn(names ...string) cond {
	return oneOf("sampler", func(u useContext) string { return u.Sampler }, names...)
}

func sourceIs(src string) cond {
	return cond{
		when: "with --" + src + " (a --ckpt fixes the SDE, --samples has none)",
		ok:   func(u useContext) bool { return u.Source == src },
		here: func(u useContext) string { return "with --" + u.Source },
	}
}

func imageData(want bool) cond {
	when, what := "to 2-D data (the MLP)", "image data"
	if want {
		when, what = "to image data (the U-Net)", "2-D data"
	}
	return cond{
		when: when,
		ok:   func(u useContext) bool { return u.Image == want },
		here: func(u useContext) string { return fmt.Sprintf("to --data %s (%s)", u.Data, what) },
	}
}

var (
	weightingML = cond{"with --weighting ml", func(u useContext) bool { return u.Weighting == "ml" },
		func(u useContext) string { return "with --weighting " + u.Weighting }}
	withFourier = cond{"with --input-fourier > 0", func(u useContext) bool { return u.InputFourier },
		func(useContext) string { return "with --input-fourier 0" }}
	notQuiet = cond{"without --quiet", func(u useContext) bool { return !u.Quiet },
		func(useContext) string { return "with --quiet" }}
	paramL = cond{"with --param L (R learns the full score)", func(u useContext) bool { return u.Param == "L" },
		func(u useContext) string { return "with --param " + u.Param }}
	likelihoodMetric = cond{"with a likelihood metric (--metrics nll or bpd)", func(u useContext) bool { return u.Likelihood },
		func(useContext) string { return "without nll or bpd in --metrics" }}
	hutchinson = cond{"with --divergence hutchinson", func(u useContext) bool { return u.Divergence == "hutchinson" },
		func(u useContext) string { return "with --divergence " + u.Divergence }}
	sampledMetric = cond{"with --ckpt and a metric of samples (ed, mmd, sw2, modes, fd, kid, pr, classes)",
		func(u useContext) bool { return u.Source == "ckpt" && u.SampleMetrics },
		func(u useContext) string {
			if u.Source != "ckpt" {
				return "with --" + u.Source
			}
			return "without a sample metric in --metrics"
		}}
	featureMetric = cond{"with --ckpt and --metrics fd, kid, pr or classes",
		func(u useContext) bool { return u.Source == "ckpt" && u.FeatureMetrics },
		func(u useContext) string {
			if u.Source != "ckpt" {
				return "with --" + u.Source
			}
			return "without a feature metric in --metrics"
		}}
	twoDData = cond{"to 2-D data (image checkpoints are scored on their own test set)", func(u useContext) bool { return !u.Image },
		func(u useContext) string { return "to an image checkpoint" }}
)

// sdeRules are the SDE flags' rules (addSDEFlags), each further limited by
// extra (e.g. to --exact for commands that can also read a checkpoint).
func sdeRules(extra ...cond) map[string]rule {
	with := func(c ...cond) rule { return append(append(rule{}, extra...), c...) }
	order2 := sdeIn(sde.CLD, sde.PSLD)
	return map[string]rule{
		"sde": with(), "objective": with(), "beta0": with(), "beta1": with(), "numerical-eps": with(),
		"m-inv": with(order2), "Gamma": with(order2), "gamma": with(order2), "nu": with(sdeIn(sde.PSLD)),
	}
}

// rules builds one command's table from rule maps and names that always apply.
func rules(always []string, maps ...map[string]rule) map[string]rule {
	out := map[string]rule{}
	for _, n := range always {
		out[n] = rule{}
	}
	for _, m := range maps {
		for n, r := range m {
			out[n] = r
		}
	}
	return out
}

func trainRules() map[string]rule {
	mlp, unet := imageData(false), imageData(true)
	return rules(strings.Fields("data weighting steps batch lr warmup lr-decay clip ema seed out resume loss-eps ckpt-every keep skip-bad-batches quiet time-budget"),
		sdeRules(), map[string]rule{
			"mixed-score":         {sdeIn(sde.CLD), paramL},
			"param":               {sdeIn(sde.CLD, sde.PSLD)},
			"importance-t":        {weightingML},
			"hidden":              {mlp},
			"layers":              {mlp},
			"input-fourier":       {mlp},
			"input-fourier-scale": {mlp, withFourier},
			"subset":              {unet},
			"downsample":          {unet},
			"channels":            {unet},
			"num-res":             {unet},
			"dropout":             {unet},
			"progress-every":      {notQuiet},
		})
}

// flagRules is the table: command → flag → the conditions of its effect.
var flagRules = map[string]map[string]rule{
	"train":  trainRules(),
	"demo":   rules([]string{"n", "nfe", "skip-nll"}, trainRules()),
	"kernel": rules([]string{"t", "json"}, sdeRules()),
	"sample": rules(strings.Fields("exact ckpt sampler n seed out eps no-denoise trajectories"), sdeRules(sourceIs("exact")), map[string]rule{
		"nfe":        {samplerIn("em", "sscs", "gddim")},
		"striding":   {samplerIn("em", "sscs", "gddim")},
		"sscs-score": {samplerIn("sscs")},
		"sscs-beta":  {samplerIn("sscs")},
		"order":      {samplerIn("gddim")},
		"param":      {samplerIn("gddim")},
		"rtol":       {samplerIn("ode")},
		"atol":       {samplerIn("ode")},
	}),
	"eval": rules(strings.Fields("samples exact ckpt metrics n seed json"), sdeRules(sourceIs("exact")), map[string]rule{
		"data":           {twoDData},
		"iw":             {likelihoodMetric, sdeIn(sde.CLD, sde.PSLD)},
		"divergence":     {likelihoodMetric},
		"probe":          {likelihoodMetric, hutchinson},
		"probes":         {likelihoodMetric, hutchinson},
		"rtol":           {likelihoodMetric},
		"atol":           {likelihoodMetric},
		"likelihood-eps": {likelihoodMetric},
		"sampler":        {sampledMetric},
		"nfe":            {sampledMetric},
		"classifier":     {featureMetric},
	}),
	"data":       rules(strings.Fields("name n seed out")),
	"classifier": rules(strings.Fields("data downsample epochs seed out floor-n json")),
	"imagebench": rules(strings.Fields("data downsample sdes budget train-threads channels num-res batch lr samplers n bpd-n classifier seed out train-only rtol atol")),
	"results":    rules(strings.Fields("data lr n nfe out runs seed steps rtol atol")),
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
	var msgs []string
	var missing []string
	fs.Visit(func(fl *flag.Flag) {
		r, ok := table[fl.Name]
		if !ok {
			missing = append(missing, "--"+fl.Name)
			return
		}
		for _, c := range r {
			if !c.ok(u) {
				msgs = append(msgs, fmt.Sprintf("--%s does not apply %s: it applies only %s", fl.Name, c.here(u), c.when))
				return
			}
		}
	})
	if len(missing) > 0 {
		sort.Strings(missing)
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
