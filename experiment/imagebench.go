package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"phasespace/dataset"
	"phasespace/evaluate"
	"phasespace/figure"
	"phasespace/imagedata"
	"phasespace/internal/atomicfile"
	"phasespace/likelihood"
	"phasespace/model"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/shard"
	"phasespace/train"
)

// BenchSampler is one sampler column of the image benchmark: EM, SSCS or
// gDDIM (order 3, K_t = R_t, quadratic striding) at an NFE, or the ODE
// sampler at a tolerance (RTol = ATol).
type BenchSampler struct {
	Method sampler.Method
	NFE    int     // EM, SSCS, GDDIM: 2..100000
	RTol   float64 // ODE: in (0, 1)
}

// Name returns "sscs-100", "em-50" or "ode-rtol1e-05" (the cache and grid
// file names).
func (b BenchSampler) Name() string {
	if b.Method == sampler.ODE {
		return fmt.Sprintf("ode-rtol%.0e", b.RTol)
	}
	return fmt.Sprintf("%s-%d", b.Method, b.NFE)
}

// ParseBenchSamplers parses comma-separated sampler:NFE (em, sscs, gddim)
// or ode:RTOL columns.
func ParseBenchSamplers(s string) ([]BenchSampler, error) {
	var out []BenchSampler
	for _, item := range strings.Split(s, ",") {
		name, arg, ok := strings.Cut(strings.TrimSpace(item), ":")
		m, err := sampler.ParseMethod(name)
		if !ok || err != nil {
			return nil, fmt.Errorf("experiment: sampler column %q is not sampler:NFE (em, sscs, gddim) or ode:RTOL", item)
		}
		b := BenchSampler{Method: m}
		if m == sampler.ODE {
			b.RTol, err = strconv.ParseFloat(arg, 64)
			if err != nil || !(b.RTol > 0 && b.RTol < 1) {
				return nil, fmt.Errorf("experiment: sampler column %q: the ODE tolerance must be in (0, 1)", item)
			}
		} else if b.NFE, err = strconv.Atoi(arg); err != nil || b.NFE < 2 || b.NFE > 100000 {
			return nil, fmt.Errorf("experiment: sampler column %q: the NFE must be 2..100000", item)
		}
		out = append(out, b)
	}
	return out, nil
}

// DefaultBenchSamplers are the sampler columns when ImageBenchConfig.Samplers
// is nil.
const DefaultBenchSamplers = "sscs:50,sscs:100,sscs:250,em:50,em:100,em:250,ode:1e-3,ode:1e-5"

// BenchRow is one measured (SDE, sampler) cell, cached as JSON in the run
// directory (bench-NAME.json).
type BenchRow struct {
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

// ParseSDEs reads a comma-separated list of SDE names (vp, cld, psld).
func ParseSDEs(list string) ([]sde.Kind, error) {
	var out []sde.Kind
	for _, s := range strings.Split(list, ",") {
		k, err := sde.ParseKind(s)
		if err != nil {
			return nil, fmt.Errorf("experiment: SDE %q: valid are vp, cld, psld", s)
		}
		out = append(out, k)
	}
	return out, nil
}

// BenchModel is the per-SDE summary, cached as bench-bpd.json.
type BenchModel struct {
	SDE          string  `json:"sde"`
	Steps        int64   `json:"steps"`
	TrainMinutes float64 `json:"train_minutes"`
	BPD          float64 `json:"bpd"`
	BPDSE        float64 `json:"bpd_se"`
	BPDNFE       int     `json:"bpd_nfe"`
	BPDImages    int     `json:"bpd_images"`
}

// ImageBenchConfig configures ImageBench. Zero fields mean the defaults
// named.
type ImageBenchConfig struct {
	Out            string        // output directory (required; an interrupted run resumes from it)
	Data           string        // image data (""; mnist)
	FullResolution bool          // keep 28×28 (default: 2×2 average-pooled to 14×14)
	SDEs           []sde.Kind    // nil: VP, CLD, PSLD, each with its default parameters
	Budget         time.Duration // training wall-clock budget per SDE (0: 20 min)
	// Steps caps training at a step count (0: 10⁶, so the budget decides).
	// A step cap equal to the steps a quiet run reaches within the budget
	// makes a run on a busy machine do the same work.
	Steps int64
	// Param is what the phase-space networks predict (0: sde.FactorL;
	// sde.FactorR for the gDDIM columns of CLD).
	Param        sde.Factor
	TrainThreads int     // threads while training (0: GOMAXPROCS)
	Channels     []int   // U-Net widths per level (nil: 32, 64)
	NumRes       int     // U-Net residual blocks per level (0: 1)
	Batch        int     // training batch (0: 64)
	LR           float64 // Adam learning rate (0: 1e-3)
	Samplers     []BenchSampler
	N            int // samples per column and real images of the floors (0: 256)
	BPDN         int // test images for bits/dim (0: 100)
	// SampleBatch is the images sampled, and solved for bits/dim, at once
	// (0: 500): memory grows with it, not with N. The ODE columns and
	// bits/dim depend on it for N or BPDN above it (adaptive steps per
	// chunk, sampler.SampleChunks).
	SampleBatch int
	RTol, ATol  float64 // tolerances of the bits/dim solve (0: 1e-5 each)
	// Classifier is the classifier weights (""; Out/classifier.safetensors,
	// trained with seed 1 for 3 epochs on first use).
	Classifier string
	Seed       uint64
	TrainOnly  bool // stop after training
	// Shard, when on, makes this process one shard of the benchmark: it
	// trains and evaluates only its SDEs (shard.Spec.Range of SDEs; more
	// shards than SDEs leave some empty) into Out/shard-III-of-NNN, for
	// MergeImageBench, and writes no table; a finished shard is skipped.
	Shard shard.Spec `json:"-"`
	Log   io.Writer  `json:"-"` // progress lines (nil: discarded)
}

func (c ImageBenchConfig) withDefaults() (ImageBenchConfig, error) {
	if c.Data == "" {
		c.Data = "mnist"
	}
	if c.SDEs == nil {
		c.SDEs = []sde.Kind{sde.VP, sde.CLD, sde.PSLD}
	}
	if c.Budget == 0 {
		c.Budget = 20 * time.Minute
	}
	if c.Channels == nil {
		c.Channels = []int{32, 64}
	}
	c.NumRes, c.Batch, c.N, c.BPDN, c.SampleBatch = orInt(c.NumRes, 1), orInt(c.Batch, 64), orInt(c.N, 256), orInt(c.BPDN, 100), orInt(c.SampleBatch, 500)
	c.LR = orFloat(c.LR, 1e-3)
	if c.Samplers == nil {
		c.Samplers, _ = ParseBenchSamplers(DefaultBenchSamplers)
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	switch {
	case c.Out == "":
		return c, configErr("Out", "is required: a directory for the runs, grids and results.md")
	case c.Budget < 0:
		return c, configErr("Budget", "= %v: want > 0, e.g. 20m", c.Budget)
	case c.Steps < 0:
		return c, configErr("Steps", "= %d: want >= 0", c.Steps)
	case c.N < 10 || c.N > 10000:
		return c, configErr("N", "= %d: want 10..10000", c.N)
	case c.BPDN < 1 || c.BPDN > 10000:
		return c, configErr("BPDN", "= %d: want 1..10000", c.BPDN)
	case c.TrainThreads < 0:
		return c, configErr("TrainThreads", "= %d: want >= 0", c.TrainThreads)
	case c.SampleBatch < 0:
		return c, configErr("SampleBatch", "= %d: want > 0", c.SampleBatch)
	case c.NumRes < 0:
		return c, configErr("NumRes", "= %d: want > 0", c.NumRes)
	case c.Batch < 0:
		return c, configErr("Batch", "= %d: want > 0", c.Batch)
	case !(c.LR > 0):
		return c, configErr("LR", "= %v: want > 0", c.LR)
	case !dataset.IsImage(c.Data):
		return c, configErr("Data", "%s: not image data (mnist, fashion-mnist or a directory of IDX files)", c.Data)
	}
	return c, nil
}

// BenchModelConfig is the training configuration of one SDE of the
// benchmark: the SDE's default parameters (toy numerical epsilon), U-Net
// without dropout, EMA 0.995, 200 warm-up steps, checkpoints every 500
// steps, at most c.Steps (default 10⁶) steps within the time budget, with
// the parameterisation c.Param.
func BenchModelConfig(kind sde.Kind, c ImageBenchConfig, dir string) (model.Config, error) {
	c, err := c.withDefaults()
	if err != nil {
		return model.Config{}, err
	}
	p, err := model.SDESpec{Kind: kind, NumericalEps: model.Float(model.DefaultToyNumericalEps)}.Process()
	if err != nil {
		return model.Config{}, fmt.Errorf("experiment: %w", err)
	}
	steps := c.Steps
	if steps == 0 {
		steps = 1_000_000
	}
	return model.Config{Data: c.Data, Downsample: !c.FullResolution, Process: p, Param: c.Param,
		Net:   model.Net{Channels: c.Channels, NumRes: c.NumRes},
		Steps: steps, Batch: c.Batch, LR: c.LR, Warmup: 200, Clip: 1, EMADecay: 0.995, Seed: c.Seed,
		OutDir: dir, CheckpointEvery: 500, ProgressEvery: 30 * time.Second, TimeBudget: c.Budget}, nil
}

// ImageBench trains every SDE to the time budget (resuming), then
// evaluates bits/dim and every sampler column against the classifier
// floor, writes Out/results.md and the sample grids under Out/grids, and
// returns the table. With c.Shard on it runs that shard only
// (imageBenchShard) and returns the line that reports it.
func ImageBench(ctx context.Context, c ImageBenchConfig) (string, error) {
	c, err := c.withDefaults()
	if err != nil {
		return "", err
	}
	if c.Shard.On() {
		return imageBenchShard(ctx, c)
	}
	// 1. Training, one SDE after another, each to the same time budget.
	if err := trainAll(ctx, c); err != nil || c.TrainOnly {
		return "", err
	}
	return benchEvaluate(c, true)
}

// trainAll trains c.SDEs one after another into Out/<sde>.
func trainAll(ctx context.Context, c ImageBenchConfig) error {
	if err := os.MkdirAll(filepath.Join(c.Out, "grids"), 0o755); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	for _, k := range c.SDEs {
		if err := trainForBench(ctx, k, c); err != nil {
			return err
		}
	}
	return nil
}

// benchEvaluate evaluates bits/dim and the sampler columns of c.SDEs
// (cached per cell in Out/<sde>/bench-*.json; a model is loaded only for a
// cell not cached) and, with table, the floor, real.png and results.md.
func benchEvaluate(c ImageBenchConfig, table bool) (string, error) {
	// 2. Data and the classifier.
	trainSet, testSet, err := dataset.LoadSplits(c.Data, dataset.Options{Downsample: !c.FullResolution})
	if err != nil {
		return "", fmt.Errorf("experiment: %w", err)
	}
	net, err := benchClassifier(c, trainSet, testSet)
	if err != nil {
		return "", err
	}
	n := min(c.N, testSet.N)
	test := evaluate.Embed(net, testSet.Pixels, n)
	var models []BenchModel
	var rows []BenchRow
	if table {
		floor, err := benchScores(evaluate.Embed(net, trainSet.Pixels, n), test, c.Seed)
		if err != nil {
			return "", err
		}
		floor.SDE, floor.Sampler, floor.Grid = "real", "train vs test", filepath.Join("grids", "real.png")
		if err := gridOfPixels(filepath.Join(c.Out, floor.Grid), trainSet.Pixels[:40*trainSet.H*trainSet.W], trainSet.H); err != nil {
			return "", err
		}
		rows = append(rows, floor)
	}
	// 3. Per SDE: bits/dim and every sampler column.
	for _, k := range c.SDEs {
		dir := filepath.Join(c.Out, k.String())
		var m *model.Loaded
		load := func() (err error) {
			if m == nil {
				m, err = model.Load(dir)
			}
			return err
		}
		var bm BenchModel
		if err := cachedJSON(filepath.Join(dir, "bench-bpd.json"), &bm, func() error {
			if err := load(); err != nil {
				return err
			}
			t0 := time.Now()
			r, err := evaluate.BPD(m, evaluate.NLLConfig{N: c.BPDN, Seed: c.Seed + 3, Divergence: likelihood.Hutchinson, RTol: c.RTol, ATol: c.ATol, Batch: c.SampleBatch})
			if err != nil {
				return err
			}
			bm = BenchModel{SDE: k.String(), Steps: m.Step, BPD: r.BPD, BPDSE: r.BPDSE, BPDNFE: r.NFE, BPDImages: r.Images}
			fmt.Fprintf(c.Log, "%s: %.3f ± %.3f bits/dim on %d test images (%d NFE, %v)\n", k, bm.BPD, bm.BPDSE, bm.BPDImages, bm.BPDNFE, time.Since(t0).Round(time.Second))
			return nil
		}); err != nil {
			return "", err
		}
		bm.TrainMinutes = TrainedMinutes(dir)
		models = append(models, bm)
		for _, col := range c.Samplers {
			if col.Method == sampler.SSCS && k == sde.VP {
				continue // SSCS splits a phase-space SDE; VP has none
			}
			var r BenchRow
			if err := cachedJSON(filepath.Join(dir, "bench-"+col.Name()+".json"), &r, func() error {
				if err := load(); err != nil {
					return err
				}
				if err := m.CheckSampler(col.Method); err != nil {
					return err
				}
				cfg := sampler.Config{Process: m.Process, Model: m.Score, Method: col.Method, NFE: col.NFE, Seed: c.Seed + 11, RTol: col.RTol, ATol: col.RTol}
				t0 := time.Now()
				x := make([]float64, 0, n*testSet.H*testSet.W)
				st, err := sampler.SampleChunks(cfg, n, c.SampleBatch, func(_ int, c []float64) error { x = append(x, c...); return nil })
				if err != nil {
					return fmt.Errorf("experiment: %s %s: %w", k, col.Name(), err)
				}
				secs := time.Since(t0).Seconds()
				pix := imagedata.ToPixels(x)
				if r, err = benchScores(evaluate.Embed(net, pix, n), test, c.Seed); err != nil {
					return err
				}
				r.SDE, r.Sampler, r.NFE, r.Seconds = k.String(), col.Name(), st.NFE, secs
				r.Grid = filepath.Join("grids", k.String()+"-"+col.Name()+".png")
				if err := gridOfPixels(filepath.Join(c.Out, r.Grid), pix[:min(40, n)*testSet.H*testSet.W], testSet.H); err != nil {
					return err
				}
				fmt.Fprintf(c.Log, "%s %s: FD %.2f, KID %.3f, %d NFE, %.0f s\n", k, col.Name(), r.FD, r.KID, r.NFE, secs)
				return nil
			}); err != nil {
				return "", err
			}
			rows = append(rows, r)
		}
	}
	if !table {
		return "", nil
	}
	out := BenchTable(c.Data, !c.FullResolution, testSet.H, c.Budget, c.N, net.Accuracy(testSet), models, rows)
	if err := atomicfile.Write(filepath.Join(c.Out, "results.md"), []byte(out)); err != nil {
		return "", fmt.Errorf("experiment: %w", err)
	}
	return out, nil
}

// trainForBench trains (or resumes) one SDE to the time budget.
func trainForBench(ctx context.Context, kind sde.Kind, c ImageBenchConfig) error {
	dir := filepath.Join(c.Out, kind.String())
	mc, err := BenchModelConfig(kind, c, dir)
	if err != nil {
		return err
	}
	mc.Progress = func(s train.Status) {
		fmt.Fprintf(c.Log, "%s: step %d  loss %.4f  ema-loss %.4f  %.1f steps/s  elapsed %v\n", kind, s.Step, s.Loss, s.EMALoss, s.StepsPerSec, s.Elapsed.Round(time.Second))
	}
	if c.TrainThreads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(c.TrainThreads))
	}
	fmt.Fprintf(c.Log, "%s: training to a budget of %v\n", kind, c.Budget)
	st, err := model.Train(ctx, mc)
	if err != nil {
		return fmt.Errorf("experiment: %s: %w", dir, err)
	}
	if err := WriteLossPlot(dir); err != nil {
		fmt.Fprintf(c.Log, "%s: loss plot: %v\n", kind, err)
	}
	if st.Seconds < c.Budget.Seconds() && st.Step < mc.Steps {
		return fmt.Errorf("experiment: %s: training stopped at %.1f of %v; run again to continue", dir, st.Seconds/60, c.Budget)
	}
	return nil
}

// benchClassifier loads the classifier, or trains and saves it on first use.
func benchClassifier(c ImageBenchConfig, trainSet, testSet *imagedata.Dataset) (*classifier.Net, error) {
	path := c.Classifier
	if path == "" {
		path = filepath.Join(c.Out, "classifier.safetensors")
	}
	if _, err := os.Stat(path); c.Classifier == "" && err != nil {
		fmt.Fprintf(c.Log, "training the %dx%d classifier (3 epochs, seed 1) into %s\n", testSet.H, testSet.W, path)
		net, err := classifier.Train(trainSet, classifier.TrainConfig{Epochs: 3, Seed: 1})
		if err != nil {
			return nil, fmt.Errorf("experiment: classifier: %w", err)
		}
		if err := net.Save(path); err != nil {
			return nil, fmt.Errorf("experiment: classifier: %w", err)
		}
		return net, nil
	}
	net, err := classifier.Load(path, testSet.H)
	if err != nil {
		return nil, fmt.Errorf("experiment: classifier %s: %w", path, err)
	}
	return net, nil
}

// benchScores computes every feature metric of g against the test set t.
func benchScores(g, t evaluate.Embedded, seed uint64) (BenchRow, error) {
	s, err := evaluate.Score(g, t, []evaluate.FeatureMetric{evaluate.FD, evaluate.KID, evaluate.PR, evaluate.Classes}, seed)
	if err != nil {
		return BenchRow{}, err
	}
	return BenchRow{FD: s.FD, KID: s.KID, KIDSD: s.KIDSD, Precision: s.Precision, Recall: s.Recall, ClassKL: s.ClassKL}, nil
}

// gridOfPixels writes up to 40 images (side×side bytes each) as a grid of
// 10 per row.
func gridOfPixels(path string, pix []byte, side int) error {
	d := side * side
	n := len(pix) / d
	imgs := make([][]byte, n)
	for i := range imgs {
		x := make([]float64, d)
		for j, p := range pix[i*d : (i+1)*d] {
			x[j] = (float64(p)+0.5)/128 - 1
		}
		imgs[i] = imagedata.ToPixels(x)
	}
	if err := figure.ImageGrid(path, imgs, side, side, min(n, 10), max(1, 56/side)); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// TrainedMinutes reads the training time of the run in dir from the last
// row of its loss.csv (NaN when unreadable).
func TrainedMinutes(dir string) float64 {
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

// WriteLossPlot draws dir/loss.csv (loss and its EMA against the step) into
// dir/loss.png.
func WriteLossPlot(dir string) error {
	steps, loss, ema, err := train.ReadCurve(filepath.Join(dir, "loss.csv"))
	if err != nil {
		return err
	}
	return figure.Lines(filepath.Join(dir, "loss.png"), "training loss", "step", "loss", false, 720, 420,
		figure.Series{Name: "loss", X: steps, Y: loss}, figure.Series{Name: "EMA of loss", X: steps, Y: ema})
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
		return fmt.Errorf("experiment: %w", err)
	}
	if err := atomicfile.Write(path, raw); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// BenchTable formats results.md of the benchmark.
func BenchTable(data string, downsample bool, side int, budget time.Duration, n int, acc float64, models []BenchModel, rows []BenchRow) string {
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

// imageBenchShard runs shard c.Shard of the benchmark: the SDEs of
// shard.Spec.Range(len(SDEs), 1), each trained and evaluated (bits/dim and
// every sampler column, with their grids) in Out/shard-III-of-NNN as
// ImageBench lays out Out, so that every SDE is trained once, by the shard
// that evaluates it. The manifest (shard.Run) records the SDEs (its rows)
// and the configuration, so that a rerun of a finished shard does nothing
// and MergeImageBench can check the shards and write the table. With
// TrainOnly the shard trains its SDEs and writes no manifest.
func imageBenchShard(ctx context.Context, c ImageBenchConfig) (string, error) {
	lo, hi := c.Shard.Range(len(c.SDEs), 1)
	sc := c
	sc.Out, sc.SDEs = shard.Dir(c.Out, c.Shard), c.SDEs[lo:hi]
	if c.TrainOnly {
		return "", trainAll(ctx, sc)
	}
	rec := c
	rec.Out, rec.TrainThreads = "", 0 // neither changes a result
	cfg, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("experiment: %w", err)
	}
	sum := sha256.Sum256(cfg)
	m := shard.Manifest{Command: "imagebench", Model: "imagebench of " + c.Data, Seed: c.Seed, N: len(c.SDEs), Shard: c.Shard, Rows: [2]int{lo, hi},
		ConfigHash: hex.EncodeToString(sum[:8]), Result: cfg}
	skipped, err := shard.Run(sc.Out, &m, func() error {
		if lo == hi {
			return nil
		}
		if err := trainAll(ctx, sc); err != nil {
			return err
		}
		_, err := benchEvaluate(sc, false)
		return err
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("shard %v: SDEs %v %s in %s\n", c.Shard, sc.SDEs, map[bool]string{true: "already done", false: "trained and evaluated"}[skipped], sc.Out), nil
}

// MergeImageBench writes into out what ImageBench writes for the whole
// benchmark from its shards' directories (checked by shard.Collect: a
// missing, duplicated or mismatched shard is an error naming it): it copies
// each shard's cached cells (Out/<sde>/bench-*.json), loss curves and
// grids (loss.csv and loss.png, bench-*.json, grids/<sde>-*.png), and the
// classifier a shard trained (unless the configuration names one; every
// shard trains the same one, seed 1), then computes the floor and writes results.md, as ImageBench does
// with every cell cached. It returns the table.
func MergeImageBench(out string, dirs []string) (string, error) {
	first, parts, partDirs, err := shard.Collect(dirs)
	if err != nil {
		return "", err
	}
	if first.Command != "imagebench" {
		return "", fmt.Errorf("experiment: %s holds a shard of %s, not of imagebench", partDirs[0], first.Command)
	}
	var c ImageBenchConfig
	if err := json.Unmarshal(first.Result, &c); err != nil {
		return "", fmt.Errorf("experiment: %s: configuration: %w", partDirs[0], err)
	}
	c.Out = out
	if c, err = c.withDefaults(); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(out, "grids"), 0o755); err != nil {
		return "", fmt.Errorf("experiment: %w", err)
	}
	for i, part := range parts {
		for _, k := range c.SDEs[part.Rows[0]:part.Rows[1]] {
			for _, pattern := range []string{filepath.Join(k.String(), "bench-*.json"), filepath.Join(k.String(), "loss.*"), filepath.Join("grids", k.String()+"-*.png")} {
				if err := copyMatches(partDirs[i], out, pattern); err != nil {
					return "", err
				}
			}
		}
		if _, err := os.Stat(filepath.Join(out, "classifier.safetensors")); c.Classifier == "" && err != nil {
			if err := copyMatches(partDirs[i], out, "classifier.safetensors"); err != nil {
				return "", err
			}
		}
	}
	return benchEvaluate(c, true)
}

// copyMatches copies the files of from that match pattern (relative to
// from) to the same paths under to, atomically.
func copyMatches(from, to, pattern string) error {
	paths, err := filepath.Glob(filepath.Join(from, pattern))
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		b, err := os.ReadFile(p)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(dst), 0o755)
		}
		if err == nil {
			err = atomicfile.Write(dst, b)
		}
		if err != nil {
			return fmt.Errorf("experiment: %w", err)
		}
	}
	return nil
}
