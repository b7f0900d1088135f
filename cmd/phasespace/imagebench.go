package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"phasespace/experiment"
	"phasespace/model"
	"phasespace/sde"
)

func init() {
	register("imagebench", "long-run image benchmark: VP, CLD and PSLD U-Nets trained at the same wall-clock budget, then FD, KID, bpd and a sample grid per sampler × NFE", runImageBench)
}

// runImageBench parses the flags of experiment.ImageBench and prints its
// table.
func runImageBench(args []string, stdout io.Writer) error {
	fs := newFlagSet("imagebench")
	c := experiment.ImageBenchConfig{Log: os.Stderr}
	fs.StringVar(&c.Data, "data", "mnist", "image data: mnist, fashion-mnist or a directory of IDX files")
	downsample := fs.Bool("downsample", true, "2x2 average-pool to 14x14 (the default: a 2-core CPU cannot train 28x28 U-Nets far in hours)")
	sdes := fs.String("sdes", "vp,cld,psld", "comma-separated SDEs, each trained with its defaults (docs/method.md)")
	fs.DurationVar(&c.Budget, "budget", 20*time.Minute, "training wall-clock budget per SDE (the same for all)")
	fs.Int64Var(&c.Steps, "steps", 0, "cap on training steps per SDE (0: the budget decides); the steps a quiet run reaches in the budget make a busy machine do the same work")
	param := fs.String("param", "L", "CLD, PSLD: what the networks predict, L or R (R: the full ε under gDDIM's R_t, for gddim columns; phasespace train -h)")
	fs.IntVar(&c.TrainThreads, "train-threads", 0, "threads while training (0: GOMAXPROCS); 1 with taskset gives each SDE the same core")
	channels := fs.String("channels", "32,64", "U-Net channels per level")
	fs.IntVar(&c.NumRes, "num-res", 1, "U-Net residual blocks per level")
	fs.IntVar(&c.Batch, "batch", 64, "training batch size")
	fs.Float64Var(&c.LR, "lr", 1e-3, "Adam learning rate")
	samplerList := fs.String("samplers", experiment.DefaultBenchSamplers, "sampler:NFE (em, sscs, gddim) or ode:RTOL columns (sscs is skipped for VP)")
	fs.IntVar(&c.N, "n", 256, "samples per sampler for FD/KID/precision/recall (and as many test and training images for the floors)")
	fs.IntVar(&c.BPDN, "bpd-n", 100, "test images for bits/dim (Hutchinson, dequantised)")
	fs.IntVar(&c.SampleBatch, "sample-batch", 500, "images sampled (and solved for bits/dim) at once: memory grows with it, not with --n")
	fs.Float64Var(&c.RTol, "rtol", 1e-5, "bits/dim: probability-flow ODE relative tolerance, in (0, 1)")
	fs.Float64Var(&c.ATol, "atol", 1e-5, "bits/dim: probability-flow ODE absolute tolerance, in (0, 1)")
	fs.StringVar(&c.Classifier, "classifier", "", "classifier weights (default OUT/classifier.safetensors, trained with seed 1 and 3 epochs on first use, or by the --train-only shard 0)")
	fs.Uint64Var(&c.Seed, "seed", 0, "seed of training and sampling (every sampler starts from the same noise)")
	fs.StringVar(&c.Out, "out", "", "output directory (required; an interrupted run resumes from it)")
	fs.BoolVar(&c.TrainOnly, "train-only", false, "stop after training (to train SDEs in parallel, one pinned core each, or as a --shard array, then evaluate with a second command)")
	sh := shardFlags(fs, "cells (each SDE's bits/dim and sampler columns, from the models in OUT; with --train-only: of the SDEs, trained into OUT)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var shErr error
	c.Shard, _, shErr = sh()
	err := firstErr(shErr, refuseZeros(map[string]bool{"num-res": c.NumRes == 0, "batch": c.Batch == 0, "lr": c.LR == 0, "budget": c.Budget == 0, "sample-batch": c.SampleBatch == 0}),
		checkTolerances(c.RTol, c.ATol), parseFlag(&c.Param, "param", *param, sde.ParseFactor, "L, R"))
	if c.FullResolution = !*downsample; err != nil {
		return err
	}
	if c.Samplers, err = experiment.ParseBenchSamplers(*samplerList); err != nil {
		return usagef("--samplers: %v", err)
	}
	if c.Channels, err = model.ParseChannels(*channels); err != nil {
		return usagef("--channels: %v", err)
	}
	if c.SDEs, err = experiment.ParseSDEs(*sdes); err != nil {
		return usagef("--sdes: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	table, err := experiment.ImageBench(ctx, c)
	if err = configError(err); errors.Is(err, model.ErrVelocityOnly) {
		return usagef("--samplers: %v (phasespace train --param R)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, table)
	return nil
}
