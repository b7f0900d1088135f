package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"phasespace/classifier"
	"phasespace/featuremetrics"
	"phasespace/gemm"
	"phasespace/imagedata"
	"phasespace/internal/atomicfile"
	"phasespace/sampler"
)

func init() {
	register("imagebench", "long-run image benchmark: VP, CLD and PSLD U-Nets trained at the same wall-clock budget, then FD, KID, bpd and a sample grid per sampler × NFE", runImageBench)
}

// benchSampler is one column of the benchmark: a sampler at an NFE (EM,
// SSCS) or at a tolerance (ODE).
type benchSampler struct {
	method sampler.Method
	nfe    int
	rtol   float64
}

func (b benchSampler) name() string {
	if b.method == sampler.ODE {
		return fmt.Sprintf("ode-rtol%.0e", b.rtol)
	}
	return fmt.Sprintf("%s-%d", b.method, b.nfe)
}

func parseBenchSamplers(s string) ([]benchSampler, error) {
	var out []benchSampler
	for _, item := range strings.Split(s, ",") {
		name, arg, ok := strings.Cut(strings.TrimSpace(item), ":")
		m, err := sampler.ParseMethod(name)
		if !ok || err != nil {
			return nil, usagef("--samplers: %q is not sampler:NFE (em, sscs) or ode:RTOL", item)
		}
		b := benchSampler{method: m}
		if m == sampler.ODE {
			b.rtol, err = strconv.ParseFloat(arg, 64)
			if err != nil || !(b.rtol > 0 && b.rtol < 1) {
				return nil, usagef("--samplers: %q: the ODE tolerance must be in (0, 1)", item)
			}
		} else if b.nfe, err = strconv.Atoi(arg); err != nil || b.nfe < 2 || b.nfe > 100000 {
			return nil, usagef("--samplers: %q: the NFE must be 2..100000", item)
		}
		out = append(out, b)
	}
	return out, nil
}

// benchRow is one measured (SDE, sampler) cell; it is cached as JSON in the
// run directory so that an interrupted benchmark resumes where it stopped.
type benchRow struct {
	SDE       string  `json:"sde"`
	Sampler   string  `json:"sampler"`
	NFE       int     `json:"nfe"`
	Seconds   float64 `json:"seconds"`
	FD        float64 `json:"fd"`
	KID       float64 `json:"kid"`
	KIDSD     float64 `json:"kid_sd"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	ClassKL   float64 `json:"class_kl"`
	Grid      string  `json:"grid"`
}

// benchModel is the per-SDE summary: training and bits/dim.
type benchModel struct {
	SDE          string  `json:"sde"`
	Steps        int64   `json:"steps"`
	TrainMinutes float64 `json:"train_minutes"`
	BPD          float64 `json:"bpd"`
	BPDSE        float64 `json:"bpd_se"`
	BPDNFE       int     `json:"bpd_nfe"`
	BPDImages    int     `json:"bpd_images"`
}

func runImageBench(args []string, stdout io.Writer) error {
	fs := newFlagSet("imagebench")
	data := fs.String("data", "mnist", "image data: mnist, fashion-mnist or a directory of IDX files")
	downsample := fs.Bool("downsample", true, "2x2 average-pool to 14x14 (the default: a 2-core CPU cannot train 28x28 U-Nets far in hours)")
	sdes := fs.String("sdes", "vp,cld,psld", "comma-separated SDEs, each trained with its defaults from the spec")
	budget := fs.Duration("budget", 20*time.Minute, "training wall-clock budget per SDE (the same for all)")
	trainThreads := fs.Int("train-threads", 0, "threads while training (0: GOMAXPROCS); 1 with taskset gives each SDE the same core")
	channels := fs.String("channels", "32,64", "U-Net channels per level")
	numRes := fs.Int("num-res", 1, "U-Net residual blocks per level")
	batch := fs.Int("batch", 64, "training batch size")
	lr := fs.Float64("lr", 1e-3, "Adam learning rate")
	samplerList := fs.String("samplers", "sscs:50,sscs:100,sscs:250,em:50,em:100,em:250,ode:1e-3,ode:1e-5", "sampler:NFE or ode:RTOL columns (sscs is skipped for VP)")
	n := fs.Int("n", 256, "samples per sampler for FD/KID/precision/recall (and as many test and training images for the floors)")
	bpdN := fs.Int("bpd-n", 100, "test images for bits/dim (Hutchinson, dequantised)")
	rtol := fs.Float64("rtol", 1e-5, "bits/dim: probability-flow ODE relative tolerance, in (0, 1)")
	atol := fs.Float64("atol", 1e-5, "bits/dim: probability-flow ODE absolute tolerance, in (0, 1)")
	classifierPath := fs.String("classifier", "", "classifier weights (default OUT/classifier.safetensors, trained with seed 1 and 3 epochs on first use)")
	seed := fs.Uint64("seed", 0, "seed of training and sampling (every sampler starts from the same noise)")
	out := fs.String("out", "", "output directory (required; an interrupted run resumes from it)")
	trainOnly := fs.Bool("train-only", false, "stop after training (to train SDEs in parallel, one pinned core each, then evaluate with a second command)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return usagef("--out is required: a directory for the runs, grids and results.md")
	case *budget <= 0:
		return usagef("--budget = %v: want > 0, e.g. 20m", *budget)
	case *n < 10 || *n > 10000:
		return usagef("--n = %d: want 10..10000", *n)
	case *bpdN < 1 || *bpdN > 10000:
		return usagef("--bpd-n = %d: want 1..10000", *bpdN)
	case *trainThreads < 0:
		return usagef("--train-threads = %d: want >= 0", *trainThreads)
	}
	if err := checkTolerances(*rtol, *atol); err != nil {
		return err
	}
	if !isImageData(*data) {
		return usagef("--data %s: not image data (mnist, fashion-mnist or a directory of IDX files)", *data)
	}
	cols, err := parseBenchSamplers(*samplerList)
	if err != nil {
		return err
	}
	kinds := strings.Split(*sdes, ",")
	for _, k := range kinds {
		if k != "vp" && k != "cld" && k != "psld" {
			return usagef("--sdes: %q: valid are vp, cld, psld", k)
		}
	}
	if err := os.MkdirAll(filepath.Join(*out, "grids"), 0o755); err != nil {
		return err
	}

	// 1. Training, one SDE after another, each to the same time budget.
	for _, k := range kinds {
		if err := trainForBench(k, *data, *downsample, *channels, *numRes, *batch, *lr, *budget, *trainThreads, *seed, filepath.Join(*out, k)); err != nil {
			return err
		}
	}
	if *trainOnly {
		return nil
	}

	// 2. Data and the classifier.
	trainSet, testSet, err := loadImageSplits(*data, *downsample)
	if err != nil {
		return err
	}
	cpath := *classifierPath
	if cpath == "" {
		cpath = filepath.Join(*out, "classifier.safetensors")
	}
	var net *classifier.Net
	if *classifierPath == "" && !fileExists(cpath) {
		fmt.Fprintf(os.Stderr, "training the %dx%d classifier (3 epochs, seed 1) into %s\n", testSet.H, testSet.W, cpath)
		if net, err = classifier.Train(trainSet, classifier.TrainConfig{Epochs: 3, Seed: 1}); err != nil {
			return err
		}
		if err := net.Save(cpath); err != nil {
			return err
		}
	} else if net, err = classifier.Load(cpath, testSet.H); err != nil {
		return fmt.Errorf("--classifier %s: %w", cpath, err)
	}
	acc := net.Accuracy(testSet)
	nn := min(*n, testSet.N)
	predTest, featTest := net.Evaluate(testSet.Pixels, nn)
	predTrain, featTrain := net.Evaluate(trainSet.Pixels, nn)
	ft := featuremetrics.Features{N: nn, D: classifier.FeatureDim, Data: featTest}
	fr := featuremetrics.Features{N: nn, D: classifier.FeatureDim, Data: featTrain}
	floor, err := featureRow(fr, ft, predTrain, predTest, *seed)
	if err != nil {
		return err
	}
	floor.SDE, floor.Sampler = "real", "train vs test"
	floor.Grid = filepath.Join("grids", "real.png")
	if err := figureOfPixels(filepath.Join(*out, floor.Grid), trainSet.Pixels[:40*trainSet.H*trainSet.W], trainSet.H); err != nil {
		return err
	}

	// 3. Per SDE: bits/dim and every sampler column.
	var models []benchModel
	rows := []benchRow{floor}
	for _, k := range kinds {
		dir := filepath.Join(*out, k)
		lm, err := loadCheckpoint(dir)
		if err != nil {
			return err
		}
		var m benchModel
		if err := cachedJSON(filepath.Join(dir, "bench-bpd.json"), &m, func() error {
			ef := &evalFlags{n: *bpdN, seed: *seed + 3, iw: 1, probes: 1, divergence: "hutchinson", probe: "rademacher", rtol: *rtol, atol: *atol, eps: 1e-5}
			res := map[string]any{}
			t0 := time.Now()
			if err := ef.bpdOf(lm, res); err != nil {
				return err
			}
			b := res["bpd"].(map[string]any)
			m = benchModel{SDE: k, Steps: lm.Step, BPD: b["bpd"].(float64), BPDSE: b["bpd_se"].(float64), BPDNFE: b["nfe"].(int), BPDImages: b["images"].(int)}
			fmt.Fprintf(os.Stderr, "%s: %.3f ± %.3f bits/dim on %d test images (%d NFE, %v)\n", k, m.BPD, m.BPDSE, m.BPDImages, m.BPDNFE, time.Since(t0).Round(time.Second))
			return nil
		}); err != nil {
			return err
		}
		m.TrainMinutes = trainedMinutes(dir)
		models = append(models, m)
		for _, c := range cols {
			if c.method == sampler.SSCS && lm.Obj.Process.Order() == 1 {
				continue // SSCS splits a phase-space SDE; VP has none
			}
			var r benchRow
			if err := cachedJSON(filepath.Join(dir, "bench-"+c.name()+".json"), &r, func() error {
				if err := checkFullScore(lm, c.method); err != nil {
					return err
				}
				cfg := sampler.Config{Process: lm.Obj.Process, Model: lm.Score, Method: c.method, NFE: c.nfe, Seed: *seed + 11, RTol: c.rtol, ATol: c.rtol}
				t0 := time.Now()
				x, st, err := sampler.Sample(cfg, nn)
				if err != nil {
					return fmt.Errorf("%s %s: %w", k, c.name(), err)
				}
				secs := time.Since(t0).Seconds()
				pix := imagedata.ToPixels(x)
				pred, feat := net.Evaluate(pix, nn)
				fg := featuremetrics.Features{N: nn, D: classifier.FeatureDim, Data: feat}
				if r, err = featureRow(fg, ft, pred, predTest, *seed); err != nil {
					return err
				}
				r.SDE, r.Sampler, r.NFE, r.Seconds = k, c.name(), st.NFE, secs
				r.Grid = filepath.Join("grids", k+"-"+c.name()+".png")
				if err := figureOfPixels(filepath.Join(*out, r.Grid), pix[:min(40, nn)*testSet.H*testSet.W], testSet.H); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "%s %s: FD %.2f, KID %.3f, %d NFE, %.0f s\n", k, c.name(), r.FD, r.KID, r.NFE, secs)
				return nil
			}); err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	table := benchTable(*data, *downsample, testSet.H, *budget, *n, acc, models, rows)
	if err := atomicfile.Write(filepath.Join(*out, "results.md"), []byte(table)); err != nil {
		return err
	}
	fmt.Fprint(stdout, table)
	return nil
}

// trainForBench trains (or resumes) one SDE to the time budget.
func trainForBench(kind, data string, downsample bool, channels string, numRes, batch int, lr float64, budget time.Duration, threads int, seed uint64, dir string) error {
	tfs := flag.NewFlagSet("train", flag.ContinueOnError)
	tf := addTrainFlags(tfs, 1_000_000)
	targs := []string{"--data", data, "--sde", kind, "--channels", channels, "--num-res", fmt.Sprint(numRes), "--dropout", "0",
		"--batch", fmt.Sprint(batch), "--lr", fmt.Sprint(lr), "--warmup", "200", "--ema", "0.995", "--steps", "1000000",
		"--ckpt-every", "500", "--time-budget", budget.String(), "--progress-every", "30s", "--seed", fmt.Sprint(seed),
		"--out", dir, "--resume"}
	if downsample {
		targs = append(targs, "--downsample")
	}
	if err := tfs.Parse(targs); err != nil {
		return usageError{err}
	}
	cfg, _, err := tf.setup(os.Stderr)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
		defer gemm.SetThreads(gemm.Threads())
		gemm.SetThreads(threads)
	}
	fmt.Fprintf(os.Stderr, "%s: training to a budget of %v\n", kind, budget)
	st, err := tf.execute(cfg, io.Discard, os.Stderr)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if st.Seconds < budget.Seconds() && st.Step < cfg.Steps {
		return fmt.Errorf("%s: training stopped at %.1f of %v; rerun the same command to continue", dir, st.Seconds/60, budget)
	}
	return nil
}

// trainedMinutes reads the training time from the run's loss curve.
func trainedMinutes(dir string) float64 {
	raw, err := os.ReadFile(filepath.Join(dir, "loss.csv"))
	if err != nil {
		return math.NaN()
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	f := strings.Split(lines[len(lines)-1], ",")
	s, err := strconv.ParseFloat(f[len(f)-1], 64)
	if err != nil {
		return math.NaN()
	}
	return s / 60
}

// featureRow computes FD, KID, precision/recall and the class-histogram KL
// of generated (or real) features g against the test features t.
func featureRow(g, t featuremetrics.Features, predG, predT []int, seed uint64) (benchRow, error) {
	var r benchRow
	var err error
	if r.FD, err = featuremetrics.FD(g, t); err != nil {
		return r, err
	}
	if r.KID, r.KIDSD, err = featuremetrics.KID(g, t, 100, min(1000, g.N), seed); err != nil {
		return r, err
	}
	if r.Precision, r.Recall, err = featuremetrics.PrecisionRecall(t, g, 3); err != nil {
		return r, err
	}
	r.ClassKL, _ = featuremetrics.ClassHistogramKL(predG, predT, classifier.Classes)
	return r, nil
}

func figureOfPixels(path string, pix []byte, side int) error {
	x := make([]float64, len(pix))
	for i, p := range pix {
		x[i] = (float64(p)+0.5)/128 - 1
	}
	return writeImageGrid(path, x, side*side)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// cachedJSON loads v from path, or runs compute and stores v there.
func cachedJSON(path string, v any, compute func() error) error {
	if raw, err := os.ReadFile(path); err == nil && json.Unmarshal(raw, v) == nil {
		return nil
	}
	if err := compute(); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, raw)
}

func benchTable(data string, downsample bool, side int, budget time.Duration, n int, acc float64, models []benchModel, rows []benchRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Data %s at %dx%d (downsampled: %v); training budget %v per SDE; %d samples per row against the first %d test images; classifier test accuracy %.4f.\n\n", data, side, side, downsample, budget, n, n, acc)
	if n <= 1000 {
		fmt.Fprintf(&b, "KID is computed on the whole sets: with %d samples its 100 subsets of min(1000, n) all coincide.\n\n", n)
	}
	b.WriteString("| SDE | steps in budget | train min | bits/dim (test, Hutchinson) | NFE of the bpd solve |\n|---|---|---|---|---|\n")
	for _, m := range models {
		fmt.Fprintf(&b, "| %s | %d | %.1f | %.3f ± %.3f (%d images) | %d |\n", m.SDE, m.Steps, m.TrainMinutes, m.BPD, m.BPDSE, m.BPDImages, m.BPDNFE)
	}
	b.WriteString("\n| SDE | sampler | NFE | FD | KID | precision | recall | class KL | sampling s | grid |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		nfe, secs := fmt.Sprint(r.NFE), fmt.Sprintf("%.0f", r.Seconds)
		if r.SDE == "real" {
			nfe, secs = "–", "–"
		}
		kid := fmt.Sprintf("%.3f ± %.3f", r.KID, r.KIDSD)
		if n <= 1000 {
			kid = fmt.Sprintf("%.3f", r.KID) // every subset is the whole set: no spread to show
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %s | %.3f | %.3f | %.3f | %s | %s |\n", r.SDE, r.Sampler, nfe, r.FD, kid, r.Precision, r.Recall, r.ClassKL, secs, r.Grid)
	}
	return b.String()
}
