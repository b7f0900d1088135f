package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"phasespace/experiment"
)

func init() {
	register("results", "train and evaluate a grid of data × SDE × objective at a fixed budget; writes a Markdown table", runResults)
}

// runResults runs experiment.Grid: one model per (data set, SDE, objective)
// with the same step budget, NLL (exact divergence), MMD² and ED with the
// recommended sampler, rows appended to results.md as they finish.
func runResults(args []string, stdout io.Writer) error {
	fs := newFlagSet("results")
	datasets := fs.String("data", strings.Join(experiment.DefaultGridData(), ","), "comma-separated toy sets or point files (.csv, .npy: scored on their held-out rows)")
	combos := fs.String("runs", "vp/dsm,cld/hsm,cld/dsm,psld/hsm,psld/dsm", "comma-separated sde/objective pairs (psld uses Γ = 0.01)")
	c := experiment.GridConfig{Rows: stdout}
	fs.Int64Var(&c.Steps, "steps", 5000, "training steps per run")
	fs.Float64Var(&c.LR, "lr", 3e-3, "learning rate")
	fs.IntVar(&c.N, "n", 2000, "evaluation points and samples")
	fs.IntVar(&c.NFE, "nfe", 200, "SSCS/EM NFE for the sample metrics (VP uses the ODE sampler)")
	fs.StringVar(&c.Out, "out", "results", "directory for runs and results.md")
	fs.Uint64Var(&c.Seed, "seed", 0, "seed")
	fs.IntVar(&c.Batch, "batch", 0, "training batch size (0: 512); a point file needs at least this many training rows")
	fs.Float64Var(&c.RTol, "rtol", 1e-5, "nll: probability-flow ODE relative tolerance, in (0, 1)")
	fs.Float64Var(&c.ATol, "atol", 1e-5, "nll: probability-flow ODE absolute tolerance, in (0, 1)")
	sh := shardFlags(fs, "cells")
	fs.Lookup("shard").Usage = "train and evaluate only shard i/N of the cells (in table order) into the shared --out; a later run without --shard writes the whole table, no merge\n(default: from $SLURM_ARRAY_TASK_ID and $SLURM_ARRAY_TASK_COUNT, or $JOB_COMPLETION_INDEX with --shards)"
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := firstErr(refuseZeros(map[string]bool{"steps": c.Steps == 0, "lr": c.LR == 0, "n": c.N == 0, "nfe": c.NFE == 0}),
		checkTolerances(c.RTol, c.ATol)); err != nil {
		return err
	}
	c.Data = strings.Split(*datasets, ",")
	runs, err := experiment.ParseRuns(*combos)
	if c.Runs = runs; err != nil {
		return usagef("--runs: %v", err)
	}
	var from string
	if c.Shard, from, err = sh(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	table, err := experiment.Grid(ctx, c)
	if err != nil {
		return configError(err)
	}
	fmt.Fprintf(stdout, "table: %s%s\n", table, map[bool]string{true: fmt.Sprintf(" (shard %v from %s: its cells only)", c.Shard, from)}[c.Shard.On()])
	return nil
}
