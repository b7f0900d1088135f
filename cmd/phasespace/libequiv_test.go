package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"phasespace/checkpoint"
	"phasespace/classifier"
	"phasespace/dataset"
	"phasespace/evaluate"
	"phasespace/exact"
	"phasespace/experiment"
	"phasespace/featuremetrics"
	"phasespace/figure"
	"phasespace/imagedata"
	"phasespace/model"
	"phasespace/rng"
	"phasespace/sde"
	"phasespace/toy"
)

// TestEvaluateMatchesEval holds package evaluate's typed results to the maps
// that eval builds today, for the same inputs: the library must print the
// same numbers when the command switches over to it.
func TestEvaluateMatchesEval(t *testing.T) {
	x, _ := toy.Sample("8gaussians", 300, 99)
	got, want := map[string]any{}, map[string]any{}
	if err := sampleMetrics(x, "8gaussians", 400, 7, map[string]bool{"ed": true, "mmd": true, "sw2": true, "modes": true}, want); err != nil {
		t.Fatal(err)
	}
	r, err := evaluate.Samples(x, evaluate.SampleConfig{Data: "8gaussians", N: 400, Seed: 7,
		Metrics: []evaluate.SampleMetric{evaluate.ED, evaluate.MMD, evaluate.SW2, evaluate.Modes}})
	if err != nil {
		t.Fatal(err)
	}
	r.Fields(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sample metrics:\n got %v\nwant %v", got, want)
	}

	mix, _ := toy.Mixture("8gaussians")
	for _, c := range []struct {
		kind sde.Kind
		iw   int
	}{{sde.CLD, 1}, {sde.CLD, 2}, {sde.VP, 1}, {sde.PSLD, 1}} {
		p, err := model.SDESpec{Kind: c.kind}.Process()
		if err != nil {
			t.Fatal(err)
		}
		o, err := exact.New(p, mix)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{}
		ef := &evalFlags{n: 12, seed: 3, iw: c.iw, probes: 1, divergence: "exact", probe: "rademacher", rtol: 1e-4, atol: 1e-4, eps: 1e-5}
		if err := ef.nllOf(p, o, "8gaussians", want); err != nil {
			t.Fatal(err)
		}
		r, err := evaluate.NLL(p, o, "8gaussians", evaluate.NLLConfig{N: 12, Seed: 3, IW: c.iw, RTol: 1e-4, ATol: 1e-4})
		if err != nil {
			t.Fatal(err)
		}
		if got := evaluate.ProcessFields(p); !reflect.DeepEqual(got, processJSON(p)) {
			t.Errorf("%v process:\n got %v\nwant %v", c.kind, got, processJSON(p))
		}
		if got := r.Fields(); !reflect.DeepEqual(got, want["nll"]) {
			t.Errorf("%v iw %d nll:\n got %v\nwant %v", c.kind, c.iw, got, want["nll"])
		}
	}

	// Feature metrics of an untrained classifier on random images.
	net, err := classifier.New(14, 1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	img := func(key uint64) *imagedata.Dataset {
		r := rng.New(5, key)
		ds := &imagedata.Dataset{N: n, H: 14, W: 14, Pixels: make([]byte, n*14*14)}
		for i := range ds.Pixels {
			ds.Pixels[i] = byte(r.IntN(256))
		}
		return ds
	}
	gen, test, trainSet := img(1), img(2), img(3)
	fr, err := evaluate.Features(net, gen.Pixels, test, trainSet, evaluate.FeatureConfig{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	emb := func(ds *imagedata.Dataset) ([]int, []float64) { return net.Evaluate(ds.Pixels, n) }
	pg, fg := emb(gen)
	pt, ft := emb(test)
	ptr, ftr := emb(trainSet)
	row, err := featureRow(fmat(fg), fmat(ft), pg, pt, 4)
	if err != nil {
		t.Fatal(err)
	}
	floor, _ := featureRow(fmat(ftr), fmat(ft), ptr, pt, 4)
	for _, c := range []struct {
		name string
		s    evaluate.FeatureScores
		r    benchRow
	}{{"generated", fr.Value, row}, {"floor", fr.Floor, floor}} {
		if c.s.FD != c.r.FD || c.s.KID != c.r.KID || c.s.KIDSD != c.r.KIDSD || c.s.Precision != c.r.Precision || c.s.Recall != c.r.Recall || c.s.ClassKL != c.r.ClassKL {
			t.Errorf("%s features: got %+v, imagebench's row %+v", c.name, c.s, c.r)
		}
	}
}

func fmat(d []float64) featuremetrics.Features {
	return featuremetrics.Features{N: len(d) / classifier.FeatureDim, D: classifier.FeatureDim, Data: d}
}

// TestGridMatchesResults runs one cell of the results grid through the
// command and through experiment.Grid: the stored run descriptions must be
// identical and the rows equal but for the training minutes.
func TestGridMatchesResults(t *testing.T) {
	if testing.Short() {
		t.Skip("trains and evaluates two 256×4 MLPs (~3 s, a minute without the assembly kernels); skipped with -short")
	}
	a, b := t.TempDir(), t.TempDir()
	var out strings.Builder
	if err := runResults([]string{"--data", "8gaussians", "--runs", "psld/dsm", "--steps", "4", "--n", "8", "--nfe", "10", "--seed", "3", "--out", a}, &out); err != nil {
		t.Fatal(err)
	}
	run, err := experiment.ParseRun("psld/dsm")
	if err != nil {
		t.Fatal(err)
	}
	var rows strings.Builder
	if _, err := experiment.Grid(context.Background(), experiment.GridConfig{Out: b, Data: []string{"8gaussians"}, Runs: []experiment.Run{run},
		Steps: 4, N: 8, NFE: 10, Seed: 3, Rows: &rows}); err != nil {
		t.Fatal(err)
	}
	cut := func(row string) string { return row[:strings.LastIndex(strings.TrimSuffix(row, "|\n"), "|")] }
	first := strings.SplitAfter(out.String(), "\n")[0]
	if cut(first) != cut(rows.String()) {
		t.Errorf("rows differ:\ncmd     %q\nlibrary %q", first, rows.String())
	}
	metaOf := func(dir string) string {
		c, _, err := checkpoint.Latest(filepath.Join(dir, "8gaussians-psld-dsm", "checkpoints"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Run json.RawMessage `json:"run"`
		}
		c.Meta(&m)
		return string(m.Run)
	}
	if ma, mb := metaOf(a), metaOf(b); ma != mb {
		t.Errorf("stored run descriptions differ:\ncmd     %s\nlibrary %s", ma, mb)
	}
}

// TestBenchModelMatchesImagebench: the run description of each benchmark
// SDE built by experiment.BenchModelConfig equals the one imagebench's
// training flags give (so either resumes the other's runs).
func TestBenchModelMatchesImagebench(t *testing.T) {
	data := writeSyntheticIDX(t, 12, 20, 10)
	for _, kind := range []sde.Kind{sde.VP, sde.CLD, sde.PSLD} {
		dir := t.TempDir()
		tfs := flag.NewFlagSet("train", flag.ContinueOnError)
		tf := addTrainFlags(tfs, 1_000_000)
		targs := []string{"--data", data, "--sde", kind.String(), "--channels", "8,16", "--num-res", "1", "--dropout", "0",
			"--batch", "16", "--lr", "0.002", "--warmup", "200", "--ema", "0.995", "--steps", "1000000",
			"--ckpt-every", "500", "--time-budget", "1s", "--progress-every", "30s", "--seed", "4", "--out", dir, "--resume"}
		if err := tfs.Parse(targs); err != nil {
			t.Fatal(err)
		}
		_, want, err := tf.setup(io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		mc, err := experiment.BenchModelConfig(kind, experiment.ImageBenchConfig{Out: t.TempDir(), Data: data, FullResolution: true,
			Channels: []int{8, 16}, Batch: 16, LR: 0.002, Budget: time.Second, Seed: 4}, dir)
		if err != nil {
			t.Fatal(err)
		}
		r, err := model.Setup(mc)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(want)
		b, _ := json.Marshal(r.Meta)
		if string(a) != string(b) {
			t.Errorf("%v run descriptions differ:\ncmd     %s\nlibrary %s", kind, a, b)
		}
	}
}

// TestSDESpecMatchesSDEFlags: model.SDESpec builds the process the SDE
// flags build, for defaults, derived parameters and explicit values.
func TestSDESpecMatchesSDEFlags(t *testing.T) {
	f := model.Float
	for _, c := range []struct {
		args []string
		spec model.SDESpec
	}{
		{[]string{"--sde", "cld"}, model.SDESpec{Kind: sde.CLD}},
		{[]string{"--sde", "cld", "--Gamma", "2"}, model.SDESpec{Kind: sde.CLD, Friction: f(2)}},
		{[]string{"--sde", "cld", "--beta0", "2", "--beta1", "3", "--m-inv", "9", "--gamma", "0.1", "--numerical-eps", "1e-6"},
			model.SDESpec{Kind: sde.CLD, Beta0: f(2), Beta1: f(3), MInv: f(9), InitVelVar: f(0.1), NumericalEps: f(1e-6)}},
		{[]string{"--sde", "psld"}, model.SDESpec{Kind: sde.PSLD}},
		{[]string{"--sde", "psld", "--Gamma", "0.5", "--m-inv", "4"}, model.SDESpec{Kind: sde.PSLD, Friction: f(0.5), MInv: f(4)}},
		{[]string{"--sde", "psld", "--nu", "3"}, model.SDESpec{Kind: sde.PSLD, Nu: f(3)}},
		{[]string{"--sde", "vp", "--beta0", "0.5"}, model.SDESpec{Kind: sde.VP, Beta0: f(0.5)}},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		sf := addSDEFlags(fs, "cld")
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		want, _, err := sf.build()
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.spec.Process()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%v: spec gives %+v (%v), flags %+v", c.args, got, err, want)
		}
	}
}

// TestSampleImagesMatchesWriteImageGrid: figure.SampleImages writes the
// file sample's writeImageGrid writes.
func TestSampleImagesMatchesWriteImageGrid(t *testing.T) {
	dir := t.TempDir()
	x := make([]float64, 12*64)
	for i := range x {
		x[i] = float64(i%11)/5 - 1
	}
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	if err := writeImageGrid(a, x, 64); err != nil {
		t.Fatal(err)
	}
	if err := figure.SampleImages(b, x, 64); err != nil {
		t.Fatal(err)
	}
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	if len(ra) == 0 || string(ra) != string(rb) {
		t.Error("figure.SampleImages and writeImageGrid wrote different files")
	}
}

// TestDatasetMatchesDatasource: dataset's sources serve the batches of
// train's data sources, bit for bit, across an epoch boundary.
func TestDatasetMatchesDatasource(t *testing.T) {
	ds := &imagedata.Dataset{N: 5, H: 4, W: 4, Pixels: make([]byte, 5*16)}
	for i := range ds.Pixels {
		ds.Pixels[i] = byte(37 * i)
	}
	for _, c := range []struct {
		cmd interface {
			Batch([]float64, int, uint64, int64) error
		}
		lib dataset.Source
		d   int
	}{{&imageSource{ds: ds}, dataset.NewImages(ds), 16}, {toySource{"swissroll"}, dataset.Toy{Name: "swissroll"}, 2}} {
		for step := int64(0); step < 4; step++ {
			a, b := make([]float64, 3*c.d), make([]float64, 3*c.d)
			if err := c.cmd.Batch(a, 3, 8, step); err != nil {
				t.Fatal(err)
			}
			if err := c.lib.Batch(b, 3, 8, step); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%T step %d: library batch %v, cmd batch %v", c.lib, step, b, a)
			}
		}
	}
}
