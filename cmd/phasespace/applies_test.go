package main

import (
	"flag"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// commandFlagSets returns every registered command's flag set, as the
// command itself builds it (captured through newFlagSet while it prints -h).
func commandFlagSets(t *testing.T) map[string]*flag.FlagSet {
	t.Helper()
	sets := map[string]*flag.FlagSet{}
	var cur *flag.FlagSet
	flagSetMade = func(fs *flag.FlagSet) {
		fs.SetOutput(io.Discard)
		if cur == nil {
			cur = fs
		}
	}
	defer func() { flagSetMade = nil }()
	for name := range commands {
		cur = nil
		if code := run([]string{name, "-h"}, io.Discard, io.Discard); code != 0 {
			t.Errorf("%s -h: exit %d", name, code)
		}
		if cur == nil {
			t.Errorf("command %s does not build its flags with newFlagSet", name)
			continue
		}
		sets[name] = cur
	}
	return sets
}

// Every flag of every command has an applicability rule, and every rule
// names a flag that exists: a flag added without a rule fails here.
func TestEveryFlagHasAnApplicabilityRule(t *testing.T) {
	for name, fs := range commandFlagSets(t) {
		table, ok := flagRules[name]
		if !ok {
			t.Errorf("command %s has no entry in flagRules (applies.go)", name)
			continue
		}
		fs.VisitAll(func(fl *flag.Flag) {
			if _, ok := table[fl.Name]; !ok {
				t.Errorf("%s --%s has no applicability rule in flagRules (applies.go)", name, fl.Name)
			}
		})
		for flagName := range table {
			if fs.Lookup(flagName) == nil {
				t.Errorf("flagRules[%s] has a rule for --%s, which %s does not have", name, flagName, name)
			}
		}
	}
}

// The applicability written down independently of applies.go: the flags
// that act only for some SDEs, per command, and those that act in none of
// the test's base invocations (below).
var (
	sdeOnlyFlags = map[string][]string{"m-inv": {"cld", "psld"}, "Gamma": {"cld", "psld"}, "gamma": {"cld", "psld"}, "nu": {"psld"}}
	cmdSDEOnly   = map[string]map[string][]string{
		"train": {"mixed-score": {"cld"}, "param": {"cld", "psld"}},
		"demo":  {"mixed-score": {"cld"}, "param": {"cld", "psld"}},
		"eval":  {"iw": {"cld", "psld"}},
	}
	// train/demo: 2-D toy data, eps weighting, no input Fourier features;
	// eval: --exact with nll and the exact divergence, no --points; sample:
	// --exact, sscs.
	refusedInBase = map[string][]string{
		"train":  {"importance-t", "input-fourier-scale", "subset", "downsample", "image-size", "channels", "num-res", "dropout", "val-frac"},
		"demo":   {"importance-t", "input-fourier-scale", "subset", "downsample", "image-size", "channels", "num-res", "dropout", "val-frac"},
		"eval":   {"probe", "probes", "sampler", "nfe", "classifier", "objective", "per-point"},
		"sample": {"rtol", "atol", "order", "param", "objective"}, // the default sampler is sscs; the exact score ignores the objective
	}
)

// flagValue is a valid value of flag name for SDE kind (the flag's default
// where that is one).
func flagValue(fs *flag.FlagSet, name, kind string) string {
	switch name {
	case "m-inv":
		return "4" // PSLD: (Γ−ν)²/4 with the default Γ and ν = Γ + 2√M⁻¹
	case "Gamma":
		if kind == "psld" {
			return "0.01"
		}
		return "1" // CLD: critical for the default M⁻¹ = 4
	case "nu":
		return "4.01"
	case "gamma":
		return "0.04"
	case "beta0", "beta1":
		return "1"
	case "numerical-eps":
		return "1e-6"
	case "objective":
		if kind == "vp" {
			return "dsm"
		}
		return "hsm"
	}
	return fs.Lookup(name).DefValue
}

// Every command with SDE flags × every SDE × every flag: the command, run
// with the flag given explicitly, refuses it with exit status 2 and a
// message naming it exactly when the flag has no effect there; otherwise it
// gets past the check (a test stop, so that nothing is trained or sampled).
func TestFlagApplicabilityMatrix(t *testing.T) {
	sets := commandFlagSets(t)
	stopAfterFlagCheck = true
	defer func() { stopAfterFlagCheck = false }()
	dir := t.TempDir()
	base := map[string][]string{
		"kernel": {"kernel", "--t", "0.5"},
		"train":  {"train", "--data", "8gaussians", "--out", filepath.Join(dir, "train")},
		"demo":   {"demo", "--out", filepath.Join(dir, "demo")},
		"eval":   {"eval", "--exact", "8gaussians"},
		"sample": {"sample", "--exact", "8gaussians", "--out", filepath.Join(dir, "s.csv")},
	}
	cmds := make([]string, 0, len(base))
	for c := range base {
		cmds = append(cmds, c)
	}
	sort.Strings(cmds)
	checked := 0
	for _, cmd := range cmds {
		fs := sets[cmd]
		for _, kind := range []string{"vp", "cld", "psld"} {
			b := append(append([]string{}, base[cmd]...), "--sde", kind)
			fs.VisitAll(func(fl *flag.Flag) {
				if slices.Contains(b, "--"+fl.Name) {
					return
				}
				applies := !slices.Contains(refusedInBase[cmd], fl.Name)
				if kinds, ok := sdeOnlyFlags[fl.Name]; ok && !slices.Contains(kinds, kind) {
					applies = false
				}
				if kinds, ok := cmdSDEOnly[cmd][fl.Name]; ok && !slices.Contains(kinds, kind) {
					applies = false
				}
				args := append(append([]string{}, b...), "--"+fl.Name+"="+flagValue(fs, fl.Name, kind))
				code, _, errs := runCLI(t, args...)
				checked++
				refused := code == 2 && strings.Contains(errs, "--"+fl.Name+" does not apply")
				passed := code == 1 && strings.Contains(errs, errFlagCheckPassed.Error())
				switch {
				case applies && !passed:
					t.Errorf("%v: exit %d, %q; --%s applies here and should pass the check", args, code, errs, fl.Name)
				case !applies && !refused:
					t.Errorf("%v: exit %d, %q; --%s has no effect here and should be refused", args, code, errs, fl.Name)
				}
			})
		}
	}
	if checked < 300 {
		t.Fatalf("only %d command × SDE × flag cases ran", checked)
	}
}

// The circumstances other than the SDE: data kind, weighting, input
// features, progress, the model source, metrics and sampler.
func TestFlagApplicabilityBeyondTheSDE(t *testing.T) {
	stopAfterFlagCheck = true
	defer func() { stopAfterFlagCheck = false }()
	dir := t.TempDir()
	csv := filepath.Join(dir, "s.csv")
	for _, c := range []struct {
		args []string
		msg  string // "" when the flags apply
	}{
		{[]string{"train", "--data", "mnist", "--hidden", "8"}, "--hidden does not apply to --data mnist (image data): it applies only to toy sets and point files (the MLP)"},
		{[]string{"train", "--data", "mnist", "--channels", "16,32", "--subset", "10", "--downsample", "--num-res", "1", "--dropout", "0"}, ""},
		{[]string{"train", "--data", "mnist", "--image-size", "16"}, ""},
		{[]string{"data", "--name", "mnist", "--image-size", "16", "--out", dir}, ""},
		{[]string{"data", "--name", "moons", "--image-size", "16", "--out", csv}, "--image-size does not apply to --data moons (point data)"},
		{[]string{"data", "--name", "mnist", "--seed", "3", "--out", dir}, "--seed does not apply to --data mnist (image data): it applies only to toy sets and point files (the MLP)"},
		{[]string{"train", "--weighting", "ml", "--importance-t"}, ""},
		{[]string{"train", "--importance-t"}, "--importance-t does not apply with --weighting eps"},
		{[]string{"train", "--input-fourier", "4", "--input-fourier-scale", "2"}, ""},
		{[]string{"train", "--quiet", "--progress-every", "1s"}, "--progress-every does not apply with --quiet"},
		{[]string{"train", "--sde", "vp", "--mixed-score=false"}, "--mixed-score does not apply to --sde vp: it applies only to --sde cld"},
		{[]string{"train", "--sde", "psld", "--mixed-score=false"}, "--mixed-score does not apply to --sde psld"},
		{[]string{"train", "--sde", "vp", "--param", "R"}, "--param does not apply to --sde vp: it applies only to --sde cld or psld"},
		{[]string{"train", "--param", "R", "--mixed-score"}, "--mixed-score does not apply with --param R: it applies only with --param L"},
		{[]string{"train", "--param", "R"}, ""},
		{[]string{"train", "--sde", "psld", "--param", "R", "--objective", "dsm", "--weighting", "ml", "--importance-t"}, ""},
		{[]string{"train", "--param", "K"}, "--param: sde: unknown parameterisation \"K\""},
		{[]string{"eval", "--exact", "8gaussians", "--sde", "vp", "--iw", "8"}, "--iw does not apply to --sde vp"},
		{[]string{"eval", "--exact", "8gaussians", "--probes", "4"}, "--probes does not apply with --divergence exact"},
		{[]string{"eval", "--exact", "8gaussians", "--divergence", "hutchinson", "--probes", "4", "--probe", "gaussian"}, ""},
		{[]string{"eval", "--exact", "8gaussians", "--sde", "vp", "--gamma", "0.1"}, "--gamma does not apply to --sde vp"},
		{[]string{"eval", "--samples", csv, "--data", "8gaussians", "--sde", "vp"}, "--sde does not apply with --samples"},
		{[]string{"eval", "--samples", csv, "--data", "8gaussians", "--rtol", "1e-3"}, "--rtol does not apply without nll or bpd"},
		{[]string{"sample", "--exact", "8gaussians", "--out", csv, "--sampler", "ode", "--nfe", "10"}, "--nfe does not apply to --sampler ode"},
		{[]string{"sample", "--exact", "8gaussians", "--out", csv, "--sampler", "ode", "--rtol", "1e-3"}, ""},
		{[]string{"sample", "--ckpt", dir, "--out", csv, "--m-inv", "2"}, "--m-inv does not apply with --ckpt"},
	} {
		args := c.args
		if args[0] == "train" {
			args = append(append([]string{}, args...), "--out", filepath.Join(dir, "t"))
		}
		code, _, errs := runCLI(t, args...)
		if c.msg == "" && (code != 1 || !strings.Contains(errs, errFlagCheckPassed.Error())) {
			t.Errorf("%v: exit %d, %q; the flags apply", args, code, errs)
		}
		if c.msg != "" && (code != 2 || !strings.Contains(errs, c.msg)) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", args, code, errs, c.msg)
		}
	}
}

// With --ckpt the checkpoint fixes the SDE, and the metrics requested decide
// which of the likelihood and sampling flags act.
func TestFlagApplicabilityWithCheckpoint(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "train", "--data", "8gaussians", "--steps", "2", "--batch", "8", "--hidden", "8", "--layers", "1", "--quiet", "--out", dir); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	stopAfterFlagCheck = true
	defer func() { stopAfterFlagCheck = false }()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--sde", "cld"}, "--sde does not apply with --ckpt"},
		{[]string{"--metrics", "nll", "--sampler", "sscs"}, "--sampler does not apply without a sample metric"},
		{[]string{"--metrics", "ed", "--iw", "2"}, "--iw does not apply without nll or bpd"},
		{[]string{"--metrics", "ed", "--classifier", "c.safetensors"}, "--classifier does not apply without a feature metric"},
		{[]string{"--metrics", "ed", "--sampler", "sscs", "--nfe", "50"}, ""},
		{[]string{"--metrics", "nll", "--iw", "2", "--data", "8gaussians"}, ""},
	} {
		args := append([]string{"eval", "--ckpt", dir}, c.args...)
		code, _, errs := runCLI(t, args...)
		if c.msg == "" && (code != 1 || !strings.Contains(errs, errFlagCheckPassed.Error())) {
			t.Errorf("%v: exit %d, %q; the flags apply", args, code, errs)
		}
		if c.msg != "" && (code != 2 || !strings.Contains(errs, c.msg)) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", args, code, errs, c.msg)
		}
	}
}
