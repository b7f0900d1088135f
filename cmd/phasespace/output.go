package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"phasespace/evaluate"
	"phasespace/model"
	"phasespace/sampler"
	"phasespace/shard"
)

// warnf prints a warning line to stderr.
func warnf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "phasespace: warning: "+format+"\n", a...)
}

// printJSON writes v as indented JSON; printEval writes an eval report.
var printJSON, printEval = evaluate.WriteJSON, evaluate.WriteReport

// refuseZeros refuses, as a usage error, the first flag (in name order)
// given as 0 where the library would read 0 as its default.
func refuseZeros(zero map[string]bool) error {
	for _, name := range slices.Sorted(maps.Keys(zero)) {
		if zero[name] {
			return usagef("--%s = 0: want a value > 0", name)
		}
	}
	return nil
}

// inRange is the usage error of an integer flag --name = v outside lo..hi
// (nil inside).
func inRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usagef("--%s = %d: want %d..%d", name, v, lo, hi)
	}
	return nil
}

// inUnit is the usage error of a flag --name = v outside (0, 1) (nil inside).
func inUnit(name string, v float64) error {
	if !(v > 0 && v < 1) {
		return usagef("--%s = %v: want a value in (0, 1)", name, v)
	}
	return nil
}

// firstErr returns the first non-nil error of errs.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// parseFlag sets *dst to parse(s), or returns the usage error naming
// --name, the value s and the valid values.
func parseFlag[T any](dst *T, name, s string, parse func(string) (T, error), valid string) error {
	v, err := parse(s)
	if err != nil {
		return usagef("--%s %q: valid are %s", name, s, valid)
	}
	*dst = v
	return nil
}

// loadCheckpoint reads a checkpoint with model.Load, warning about newer
// checkpoints that failed verification.
func loadCheckpoint(dir string) (*model.Loaded, error) {
	m, err := model.Load(dir)
	if err != nil {
		return nil, err
	}
	for _, s := range m.Skipped {
		warnf("skipping checkpoint: %v", s)
	}
	return m, nil
}

// checkFullScore refuses --sampler gddim for a checkpoint whose network
// predicts only the velocity score (model.Loaded.CheckSampler).
func checkFullScore(lm *model.Loaded, m sampler.Method) error {
	if err := lm.CheckSampler(m); errors.Is(err, model.ErrVelocityOnly) {
		return usagef("--sampler gddim needs the full score (ε = −K_tᵀs mixes ∇ₓ and ∇ᵥ), and checkpoint %s predicts only the %v velocity score: train with --param R", lm.Dir, lm.Process.Kind)
	}
	return nil
}

// shardFlags adds --shard and --shards (what: the rows sharded) and
// returns their shard.Resolve with the environment, errors as usage errors.
func shardFlags(fs *flag.FlagSet, what string) func() (shard.Spec, string, error) {
	text := fs.String("shard", "", "compute only shard i/N of the "+what+" into --out DIR/shard-i-of-N, for phasespace merge\n(default: from $SLURM_ARRAY_TASK_ID and $SLURM_ARRAY_TASK_COUNT, or $JOB_COMPLETION_INDEX with --shards)")
	count := fs.Int("shards", 0, "number of shards N of a Kubernetes Indexed Job ($JOB_COMPLETION_INDEX)")
	return func() (shard.Spec, string, error) {
		sh, from, err := shard.Resolve(*text, *count, os.Getenv)
		if err != nil {
			return sh, from, usageError{err}
		}
		return sh, from, nil
	}
}

// configError turns a library's ConfigError (evaluate, experiment, model,
// sampler) into a usage error naming the flag of its field (in lower case,
// or fieldFlags): "--batch = -1: want ...", evaluate's "--data: reason".
func configError(err error) error {
	var ce interface{ FieldError() (string, error) }
	if errors.As(err, &ce) {
		field, e := ce.FieldError()
		sep := map[bool]string{true: ": ", false: " "}[errors.As(err, new(*evaluate.ConfigError))]
		return usagef("--%s%s%v", cmp.Or(fieldFlags[field], strings.ToLower(field)), sep, e)
	}
	return err
}

var fieldFlags = map[string]string{"BPDN": "bpd-n", "TrainThreads": "train-threads", "NumRes": "num-res", "SampleBatch": "sample-batch", "LRDecay": "lr-decay", "EMADecay": "ema", "CheckpointEvery": "ckpt-every", "ProgressEvery": "progress-every", "TimeBudget": "time-budget", "Keep": "keep"}
