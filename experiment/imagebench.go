package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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
	// Shard, when on, makes this process one shard of the benchmark
	// (imageBenchShard): with TrainOnly it trains the SDEs of
	// shard.Spec.Range over SDEs into Out/<sde> (and, shard 0, the
	// classifier); without it, it evaluates the cells of shard.Spec.Range
	// over BenchCells into Out/shard-III-of-NNN, for MergeImageBench, and
	// writes no table; a finished shard is skipped.
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
// returns the table. An SDE whose Out/<sde>/trained.json matches c is not
// trained again. With c.Shard on it runs that shard only
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
// cell not cached), the real-vs-real floor and real.png, and writes
// results.md. mayTrain lets it train the classifier on first use.
func benchEvaluate(c ImageBenchConfig, mayTrain bool) (string, error) {
	// 2. Data and the classifier.
	e, err := newBenchEval(c, c.Out, mayTrain)
	if err != nil {
		return "", err
	}
	trainSet := e.train
	floor, err := benchScores(evaluate.Embed(e.net, trainSet.Pixels, e.n), e.test, c.Seed)
	if err != nil {
		return "", err
	}
	floor.SDE, floor.Sampler, floor.Grid = "real", "train vs test", filepath.Join("grids", "real.png")
	if err := gridOfPixels(filepath.Join(c.Out, floor.Grid), trainSet.Pixels[:40*trainSet.H*trainSet.W], trainSet.H); err != nil {
		return "", err
	}
	models, rows := []BenchModel{}, []BenchRow{floor}
	// 3. Per SDE: bits/dim and every sampler column.
	for _, cell := range BenchCells(c.SDEs, c.Samplers) {
		if cell.BPD {
			bm, err := e.bpd(cell.SDE)
			if err != nil {
				return "", err
			}
			bm.TrainMinutes = TrainedMinutes(filepath.Join(c.Out, cell.SDE.String()))
			models = append(models, bm)
			continue
		}
		r, err := e.column(cell.SDE, cell.Sampler)
		if err != nil {
			return "", err
		}
		rows = append(rows, r)
	}
	out := BenchTable(c.Data, !c.FullResolution, e.side, c.Budget, c.N, e.net.Accuracy(e.testSet), models, rows)
	if err := atomicfile.Write(filepath.Join(c.Out, "results.md"), []byte(out)); err != nil {
		return "", fmt.Errorf("experiment: %w", err)
	}
	return out, nil
}

// BenchCell is one unit of the benchmark's evaluation: the bits/dim of an
// SDE (BPD) or one sampler column of it.
type BenchCell struct {
	SDE     sde.Kind
	BPD     bool
	Sampler BenchSampler // the column when !BPD
}

// File returns the cell's cached result relative to the run directory:
// <sde>/bench-bpd.json or <sde>/bench-<sampler>.json.
func (b BenchCell) File() string {
	name := "bpd"
	if !b.BPD {
		name = b.Sampler.Name()
	}
	return filepath.Join(b.SDE.String(), "bench-"+name+".json")
}

// BenchCells lists the cells of the benchmark in the order of its table:
// per SDE of sdes, its bits/dim and then one cell per sampler column, less
// SSCS for VP (SSCS splits a phase-space SDE; VP has none).
func BenchCells(sdes []sde.Kind, samplers []BenchSampler) []BenchCell {
	var out []BenchCell
	for _, k := range sdes {
		out = append(out, BenchCell{SDE: k, BPD: true})
		for _, col := range samplers {
			if !(col.Method == sampler.SSCS && k == sde.VP) {
				out = append(out, BenchCell{SDE: k, Sampler: col})
			}
		}
	}
	return out
}

// benchEval evaluates cells of the benchmark with the models of
// models/<sde>, caching each cell's result and grid under c.Out.
type benchEval struct {
	c              ImageBenchConfig
	models         string
	train, testSet *imagedata.Dataset
	net            *classifier.Net
	test           evaluate.Embedded // the first n test images
	n, side        int
	loaded         map[sde.Kind]*model.Loaded
}

// newBenchEval loads the data and the classifier (benchClassifier) and
// embeds the first min(N, test images) test images.
func newBenchEval(c ImageBenchConfig, models string, mayTrain bool) (*benchEval, error) {
	trainSet, testSet, err := dataset.LoadSplits(c.Data, dataset.Options{Downsample: !c.FullResolution})
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	net, err := benchClassifier(c, trainSet, testSet, mayTrain)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(c.Out, "grids"), 0o755); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	n := min(c.N, testSet.N)
	return &benchEval{c: c, models: models, train: trainSet, testSet: testSet, net: net, n: n, side: testSet.H,
		test: evaluate.Embed(net, testSet.Pixels, n), loaded: map[sde.Kind]*model.Loaded{}}, nil
}

// load returns the model of SDE k, loaded on first use.
func (e *benchEval) load(k sde.Kind) (*model.Loaded, error) {
	if m := e.loaded[k]; m != nil {
		return m, nil
	}
	m, err := model.Load(filepath.Join(e.models, k.String()))
	e.loaded[k] = m
	return m, err
}

// bpd returns the bits/dim cell of SDE k (cached).
func (e *benchEval) bpd(k sde.Kind) (BenchModel, error) {
	c := e.c
	var bm BenchModel
	err := cachedJSON(filepath.Join(c.Out, BenchCell{SDE: k, BPD: true}.File()), &bm, func() error {
		m, err := e.load(k)
		if err != nil {
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
	})
	return bm, err
}

// column returns the cell of SDE k and sampler column col (cached), and
// writes its grid.
func (e *benchEval) column(k sde.Kind, col BenchSampler) (BenchRow, error) {
	c, n := e.c, e.n
	var r BenchRow
	err := cachedJSON(filepath.Join(c.Out, BenchCell{SDE: k, Sampler: col}.File()), &r, func() error {
		m, err := e.load(k)
		if err != nil {
			return err
		}
		if err := m.CheckSampler(col.Method); err != nil {
			return err
		}
		cfg := sampler.Config{Process: m.Process, Model: m.Score, Method: col.Method, NFE: col.NFE, Seed: c.Seed + 11, RTol: col.RTol, ATol: col.RTol}
		t0 := time.Now()
		x := make([]float64, 0, n*e.side*e.side)
		st, err := sampler.SampleChunks(cfg, n, c.SampleBatch, func(_ int, c []float64) error { x = append(x, c...); return nil })
		if err != nil {
			return fmt.Errorf("experiment: %s %s: %w", k, col.Name(), err)
		}
		secs := time.Since(t0).Seconds()
		pix := imagedata.ToPixels(x)
		if r, err = benchScores(evaluate.Embed(e.net, pix, n), e.test, c.Seed); err != nil {
			return err
		}
		r.SDE, r.Sampler, r.NFE, r.Seconds = k.String(), col.Name(), st.NFE, secs
		r.Grid = filepath.Join("grids", k.String()+"-"+col.Name()+".png")
		if err := gridOfPixels(filepath.Join(c.Out, r.Grid), pix[:min(40, n)*e.side*e.side], e.side); err != nil {
			return err
		}
		fmt.Fprintf(c.Log, "%s %s: FD %.2f, KID %.3f, %d NFE, %.0f s\n", k, col.Name(), r.FD, r.KID, r.NFE, secs)
		return nil
	})
	return r, err
}

// trainForBench trains (or resumes) one SDE to the time budget or the step
// cap and then records it in Out/<sde>/trained.json (benchTrained); an SDE
// whose trained.json matches c is not touched.
func trainForBench(ctx context.Context, kind sde.Kind, c ImageBenchConfig) error {
	dir := filepath.Join(c.Out, kind.String())
	if checkTrained(c, kind) == nil {
		fmt.Fprintf(c.Log, "%s: already trained (%s)\n", kind, filepath.Join(dir, trainedName))
		return nil
	}
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
	raw, err := json.MarshalIndent(benchTrainedOf(c, kind), "", "  ")
	if err == nil {
		err = atomicfile.Write(filepath.Join(dir, trainedName), append(raw, '\n'))
	}
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// trainedName is the file that marks an SDE's training finished.
const trainedName = "trained.json"

// benchTrained is every setting that an SDE's training depends on,
// written to Out/<sde>/trained.json once the training has reached the
// budget or the step cap: the cell shards evaluate only a model whose
// trained.json matches their own settings.
type benchTrained struct {
	SDE            string  `json:"sde"`
	Data           string  `json:"data"`
	FullResolution bool    `json:"full_resolution"`
	Budget         string  `json:"budget"`
	Steps          int64   `json:"steps"`
	Param          string  `json:"param"`
	Channels       []int   `json:"channels"`
	NumRes         int     `json:"num_res"`
	Batch          int     `json:"batch"`
	LR             float64 `json:"lr"`
	Seed           uint64  `json:"seed"`
}

func benchTrainedOf(c ImageBenchConfig, k sde.Kind) benchTrained {
	return benchTrained{SDE: k.String(), Data: c.Data, FullResolution: c.FullResolution, Budget: c.Budget.String(), Steps: c.Steps,
		Param: c.Param.String(), Channels: c.Channels, NumRes: c.NumRes, Batch: c.Batch, LR: c.LR, Seed: c.Seed}
}

// checkTrained returns nil when Out/<k>/trained.json records a finished
// training with c's settings, and otherwise an error naming the SDE, the
// file and (for other settings) the first field that differs.
func checkTrained(c ImageBenchConfig, k sde.Kind) error {
	path := filepath.Join(c.Out, k.String(), trainedName)
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("experiment: SDE %s is not trained yet (no %s): run imagebench --train-only with the same flags first (--shard i/M over the SDEs, or one process)", k, path)
	}
	var have map[string]any
	want, _ := json.Marshal(benchTrainedOf(c, k))
	var w map[string]any
	if err := json.Unmarshal(raw, &have); err != nil {
		return fmt.Errorf("experiment: %s: %w", path, err)
	}
	_ = json.Unmarshal(want, &w)
	for _, f := range slices.Sorted(maps.Keys(w)) {
		if fmt.Sprint(have[f]) != fmt.Sprint(w[f]) {
			return fmt.Errorf("experiment: SDE %s was trained with other settings (%s: %v there, %v here in %s): train it again with imagebench --train-only and these flags, or use the flags it was trained with", k, f, have[f], w[f], path)
		}
	}
	return nil
}

// benchClassifier loads the classifier, or (mayTrain, without
// c.Classifier) trains and saves it on first use; without mayTrain a
// missing Out/classifier.safetensors is an error saying where it comes from.
func benchClassifier(c ImageBenchConfig, trainSet, testSet *imagedata.Dataset, mayTrain bool) (*classifier.Net, error) {
	path := c.Classifier
	if path == "" {
		path = filepath.Join(c.Out, "classifier.safetensors")
	}
	if _, err := os.Stat(path); c.Classifier == "" && err != nil {
		if !mayTrain {
			return nil, fmt.Errorf("experiment: no classifier %s: the imagebench --train-only shard 0/N trains it, or give --classifier (phasespace classifier --data %s --out FILE)", path, c.Data)
		}
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
	if err == nil {
		err = os.MkdirAll(filepath.Dir(path), 0o755)
	}
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
