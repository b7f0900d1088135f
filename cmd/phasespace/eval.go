package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"phasespace/dataset"
	"phasespace/evaluate"
	"phasespace/likelihood"
	"phasespace/model"
	"phasespace/sampler"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/shard"
	"phasespace/toy"
)

func init() {
	register("eval", "evaluate samples, an exact-score model or a checkpoint: ed, mmd, sw2, modes, nll", runEval)
}

type evalFlags struct {
	sf                                         *sdeFlags
	samples, exactName, ckpt, data, metricList string
	points, perPoint                           string // --points FILE, --per-point OUT.csv
	out                                        string
	shard                                      func() (shard.Spec, string, error)
	divergence, probe, classifier, sampler     string
	nll                                        evaluate.NLLConfig // N, Seed, IW, Probes, RTol, ATol, Eps from the flags
	want                                       evaluate.Metrics   // the metrics requested
	nfe                                        int
	asJSON                                     bool
	given                                      map[string]bool
	fs                                         *flag.FlagSet
}

func runEval(args []string, stdout io.Writer) error {
	fs := newFlagSet("eval")
	f := &evalFlags{sf: addSDEFlags(fs, "cld"), fs: fs}
	fs.StringVar(&f.samples, "samples", "", "CSV of samples to compare with --data")
	fs.StringVar(&f.exactName, "exact", "", "evaluate the exact score of a mixture data set (8gaussians, diamond, gaussian) under --sde")
	fs.StringVar(&f.ckpt, "ckpt", "", "evaluate a trained checkpoint (directory written by phasespace train)")
	fs.StringVar(&f.data, "data", "", "reference data: a toy set, a point file or a checkpoint's image directory if it moved (default: the --exact set or the checkpoint's data)")
	fs.StringVar(&f.points, "points", "", "nll of the points of this .csv or .npy file (in the data's units) under --exact or --ckpt")
	fs.StringVar(&f.perPoint, "per-point", "", "with --points: write one row per point to this CSV: NLL in nats, bits/dim, standard error")
	fs.StringVar(&f.metricList, "metrics", "", "comma-separated: ed, mmd, sw2, modes, nll (default: ed,mmd,sw2 for --samples; nll for --exact)")
	fs.IntVar(&f.nll.N, "n", 2000, "evaluation points: fresh data draws (and samples drawn for --ckpt)")
	fs.Uint64Var(&f.nll.Seed, "seed", 1, "seed for evaluation data, velocities and probes")
	fs.IntVar(&f.nll.IW, "iw", 1, "nll: initial velocities per point; K > 1 gives the importance-weighted bound")
	fs.StringVar(&f.divergence, "divergence", "exact", "nll: exact or hutchinson")
	fs.StringVar(&f.probe, "probe", "rademacher", "nll: Hutchinson probes, rademacher or gaussian")
	fs.IntVar(&f.nll.Probes, "probes", 1, "nll: Hutchinson probes per point")
	fs.Float64Var(&f.nll.RTol, "rtol", 1e-5, "nll: ODE relative tolerance")
	fs.Float64Var(&f.nll.ATol, "atol", 1e-5, "nll: ODE absolute tolerance")
	fs.Float64Var(&f.nll.Eps, "likelihood-eps", 1e-5, "nll: starting time of the probability-flow ODE")
	fs.StringVar(&f.sampler, "sampler", "", "--ckpt sample metrics: sampler (default from the checkpoint)")
	fs.IntVar(&f.nfe, "nfe", 0, "--ckpt sample metrics: NFE (default from the checkpoint)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
	fs.IntVar(&f.nll.Batch, "batch", 0, fmt.Sprintf("samples drawn and nll points solved at once (0: %d): memory grows with it, not with --n", sampler.DefaultBatch))
	fs.StringVar(&f.out, "out", "", "with --shard: the directory of the shards, for phasespace merge")
	f.shard = shardFlags(fs, "points and samples")
	fs.StringVar(&f.classifier, "classifier", "", "images: classifier weights from `phasespace classifier` (for fd, kid, pr, classes)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.given[fl.Name] = true })
	if given := len(slices.DeleteFunc([]string{f.samples, f.exactName, f.ckpt}, func(s string) bool { return s == "" })); given != 1 {
		return usagef("give exactly one of --samples FILE, --exact NAME or --ckpt DIR")
	}
	if err := firstErr(inRange("n", f.nll.N, 2, 1_000_000), inRange("iw", f.nll.IW, 1, 4096), inRange("probes", f.nll.Probes, 1, 1024), inRange("batch", f.nll.Batch, 0, 1_000_000),
		inUnit("likelihood-eps", f.nll.Eps), checkTolerances(f.nll.RTol, f.nll.ATol), f.parseMetrics(),
		parseFlag(&f.nll.Divergence, "divergence", f.divergence, likelihood.ParseDivergence, "exact, hutchinson"),
		parseFlag(&f.nll.Probe, "probe", f.probe, likelihood.ParseProbe, "rademacher, gaussian")); err != nil {
		return err
	}
	res, eval := map[string]any{}, f.evalCheckpoint
	if f.samples != "" {
		eval = f.evalSampleFile
	} else if f.exactName != "" {
		eval = f.evalExact
	}
	if err := eval(res); err != nil {
		return err
	}
	return printEval(stdout, res, f.asJSON)
}

// checkFlags refuses the given flags that have no effect with source
// ("exact", "ckpt" or "samples"), SDE kind (0: none) and image data.
func (f *evalFlags) checkFlags(source string, kind sde.Kind, image bool) error {
	w := f.want
	return checkFlags("eval", f.fs, useContext{SDE: kind, Source: source, Image: image, Divergence: f.divergence, Points: f.points != "",
		Likelihood: w.NLL || w.BPD, FeatureMetrics: len(w.Feature) > 0, SampleMetrics: len(w.Sample)+len(w.Feature) > 0})
}

// parseMetrics sets f.want from --metrics (evaluate.MetricsFor).
func (f *evalFlags) parseMetrics() (err error) {
	src := evaluate.SourceOf(f.samples != "", f.exactName != "", f.points != "")
	if f.want, err = evaluate.MetricsFor(f.metricList, src); err != nil {
		return usagef("--metrics: %v", err)
	}
	return nil
}

// evalSampleFile compares a CSV of samples with fresh data draws.
func (f *evalFlags) evalSampleFile(res map[string]any) error {
	if err := f.checkFlags("samples", 0, false); err != nil {
		return err
	}
	if f.data == "" {
		return usagef("--samples needs --data NAME or FILE (toy sets: %s; point files: .csv, .npy)", strings.Join(toy.Names(), ", "))
	}
	r, err := evaluate.SampleFile(f.samples, evaluate.SampleConfig{Data: f.data, N: f.nll.N, Seed: f.nll.Seed, Metrics: f.want.Sample})
	if err == nil {
		r.Fields(res)
	}
	return configError(err)
}

// evalExact evaluates the exact score of a mixture data set.
func (f *evalFlags) evalExact(res map[string]any) error {
	p, o, err := f.sf.exactScore(f.exactName)
	if err == nil {
		err = f.checkFlags("exact", p.Kind, false)
	}
	if err != nil {
		return err
	}
	if res["model"], res["process"] = "exact score of "+f.exactName, evaluate.ProcessFields(p); f.points != "" {
		return f.evalPoints("exact "+f.exactName, p, o, nil, res)
	}
	data := cmp.Or(f.data, f.exactName)
	if ok, err := f.sharded("exact "+f.exactName, res, func(s evaluate.Shard) (report, error) { return evaluate.NLLShard(s, p, o, data, f.nll) }); ok || err != nil {
		return err
	}
	r, err := evaluate.NLL(p, o, data, f.nll)
	if err == nil {
		res["nll"] = r.Fields()
	}
	return configError(err)
}

// evalCheckpoint evaluates a trained model.
func (f *evalFlags) evalCheckpoint(res map[string]any) error {
	lm, err := loadCheckpoint(f.ckpt)
	if err != nil {
		return err
	}
	image := lm.Meta.IsImage()
	if image && f.want.BPD && !f.given["divergence"] {
		f.nll.Divergence, f.divergence = likelihood.Hutchinson, "hutchinson" // one VJP per probe instead of one per pixel
	}
	if err := f.checkFlags("ckpt", lm.Process.Kind, image); err != nil {
		return err
	} else if f.points != "" {
		return f.evalPoints(lm.Identity(), lm.Process, lm.Score, lm.Standardisation(), res)
	}
	c, r := evaluate.CheckpointConfig{Metrics: f.want, Data: f.data, NLL: f.nll, Sampler: f.sampler, NFE: f.nfe, Classifier: f.classifier, Batch: f.nll.Batch}, map[string]any(nil)
	ok, err := f.sharded(lm.Identity(), res, func(s evaluate.Shard) (report, error) { return evaluate.CheckpointShard(s, lm, c) })
	if !ok && err == nil {
		r, err = evaluate.Checkpoint(lm, c)
	}
	if errors.Is(err, model.ErrVelocityOnly) {
		return checkFullScore(lm, sampler.GDDIM)
	}
	maps.Copy(res, r)
	return configError(err)
}

// evalPoints evaluates the NLL of the --points under a model whose data
// were standardised by std (nil: none), writing --per-point if given.
func (f *evalFlags) evalPoints(model string, p *sde.Process, m score.VJPModel, sd *dataset.Standardisation, res map[string]any) error {
	if ok, err := f.sharded(model, res, func(s evaluate.Shard) (report, error) { return evaluate.PointsShard(s, p, m, sd, f.points, f.nll) }); ok || err != nil {
		return err
	}
	r, err := evaluate.PointsNLLTo(f.perPoint, p, m, sd, f.points, f.nll)
	if err == nil && f.perPoint != "" {
		res["per_point"] = f.perPoint
	}
	if err == nil {
		res["nll"] = r.Fields()
	}
	return configError(err)
}

// checkTolerances checks --rtol and --atol of the probability-flow ODE.
func checkTolerances(rtol, atol float64) error {
	return firstErr(inUnit("rtol", rtol), inUnit("atol", atol))
}

type report = map[string]any // the result fields of an evaluation (evaluate.WriteReport)
// sharded runs the shard of this run of model, if it is one (ok), with run,
// its report under res["shard"].
func (f *evalFlags) sharded(model string, res map[string]any, run func(evaluate.Shard) (report, error)) (ok bool, err error) {
	sh, from, err := f.shard()
	if err == nil && sh.On() && f.perPoint != "" {
		err = usagef("--per-point: a shard (%v) keeps its values in --out DIR, and phasespace merge writes DIR/per-point.csv", sh)
	} else if err == nil && sh.On() {
		res["shard"], err = run(evaluate.Shard{Out: f.out, From: from, Fields: maps.Clone(res), Manifest: shard.Manifest{Command: "eval", Model: model, Seed: f.nll.Seed, Shard: sh, ConfigHash: shard.FlagHash(f.fs, "out", "shard", "shards", "json"), Settings: shard.FlagSettings(f.fs, "out", "shard", "shards", "json")}})
	}
	return sh.On(), configError(err)
}
