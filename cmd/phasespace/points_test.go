package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"

	"phasespace/dataset"
)

// Data in its own units: 1-D points of mean 100 and scale 10 train the MLP,
// and the samples come back in those units (without the standardisation
// they would sit near 0 with scale 1: even an untrained model samples
// about the stationary law of the standardised data); eval reports the 1-D
// W2 and an NLL whose log-determinant is log 10 (up to the fitted scale).
func TestPointsDataUnits1D(t *testing.T) {
	dir := t.TempDir()
	g := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 600)
	for i := range x {
		x[i] = 100 + 10*g.NormFloat64()
	}
	data := filepath.Join(dir, "one.csv")
	if err := dataset.WriteTable(data, []string{"height"}, x, 1); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	if code, _, errs := runCLI(t, "train", "--data", data, "--steps", "30", "--batch", "64", "--hidden", "32", "--layers", "2", "--out", run, "--quiet"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	out := filepath.Join(dir, "s.csv")
	if code, _, errs := runCLI(t, "sample", "--ckpt", run, "--n", "400", "--nfe", "20", "--out", out); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errs)
	}
	s, d, err := dataset.ReadCSV(out)
	if err != nil || d != 1 || len(s) != 400 {
		t.Fatalf("samples: %d values of dimension %d: %v", len(s), d, err)
	}
	mean, sd := meanStd(s)
	if math.Abs(mean-100) > 5 || sd < 3 || sd > 30 {
		t.Errorf("samples have mean %.3g and sd %.3g, want them in the data's units (100, about 10)", mean, sd)
	}
	png := filepath.Join(dir, "s.png")
	if code, _, errs := runCLI(t, "sample", "--ckpt", run, "--n", "200", "--nfe", "20", "--out", png); code != 0 {
		t.Fatalf("sample --out .png (histogram): exit %d: %s", code, errs)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("histogram PNG: %v", err)
	}
	if lm, err := loadCheckpoint(run); err != nil || len(lm.Columns()) != 1 || lm.Columns()[0] != "height" {
		t.Errorf("checkpoint of a headed CSV: %v; want the column name height recorded (the histogram's axis label)", err)
	}
	code, stdout, errs := runCLI(t, "eval", "--ckpt", run, "--n", "50", "--nfe", "20", "--rtol", "1e-3", "--atol", "1e-3", "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errs)
	}
	var res struct {
		W2    *float64           `json:"w2"`
		Floor map[string]float64 `json:"floor"`
		NLL   map[string]any     `json:"nll"`
		Data  string             `json:"data"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	ld, _ := res.NLL["log_det_scale"].(float64)
	if res.W2 == nil || res.Floor["w2"] <= 0 || math.Abs(ld-math.Log(10)) > 0.15 || res.NLL["n"] != 50.0 || res.Data != data {
		t.Errorf("eval of a 1-D run: %s", stdout)
	}
}

func meanStd(v []float64) (float64, float64) {
	m, s := 0.0, 0.0
	for _, x := range v {
		m += x / float64(len(v))
	}
	for _, x := range v {
		s += (x - m) * (x - m) / float64(len(v)-1)
	}
	return m, math.Sqrt(s)
}

// 3-D float32 NPY data: train, a pair plot of samples, the per-point NLL
// table of given points (one row each, header with the bound), and eval's
// sample metrics in 3 dimensions with their floors.
func TestPointsNPY3DAndPerPoint(t *testing.T) {
	dir := t.TempDir()
	g := rand.New(rand.NewPCG(5, 6))
	var rows [300][3]float32
	for i := range rows {
		u := 2 * math.Pi * g.Float64()
		rows[i] = [3]float32{float32(math.Cos(u)), float32(math.Sin(u)), float32(5 + 0.1*g.NormFloat64())}
	}
	var b bytes.Buffer
	if err := npy.Write(&b, rows); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "ring.npy")
	os.WriteFile(data, b.Bytes(), 0o644)
	run := filepath.Join(dir, "run")
	if code, _, errs := runCLI(t, "train", "--data", data, "--val-frac", "0.2", "--steps", "20", "--batch", "32", "--hidden", "32", "--layers", "2", "--out", run, "--quiet"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	png := filepath.Join(dir, "pairs.png")
	if code, _, errs := runCLI(t, "sample", "--ckpt", run, "--n", "100", "--nfe", "10", "--out", png); code != 0 {
		t.Fatalf("sample --out .png (pair plot): exit %d: %s", code, errs)
	}
	pts := filepath.Join(dir, "pts.csv")
	os.WriteFile(pts, []byte("x,y,z\n1,0,5\n0,1,5\n0,0,5\n"), 0o644)
	table := filepath.Join(dir, "nll.csv")
	code, stdout, errs := runCLI(t, "eval", "--ckpt", run, "--points", pts, "--per-point", table, "--rtol", "1e-2", "--atol", "1e-2")
	if code != 0 {
		t.Fatalf("eval --points: exit %d: %s", code, errs)
	}
	body, _ := os.ReadFile(table)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], `x,y,z,"nll_nats (augmented`) || !strings.Contains(lines[0], "se_nats (8 replicas)") || !strings.Contains(stdout, "per_point") {
		t.Errorf("per-point table:\n%s\nstdout:\n%s", body, stdout)
	}
	code, stdout, errs = runCLI(t, "eval", "--ckpt", run, "--n", "20", "--nfe", "10", "--metrics", "ed,mmd,sw2")
	if code != 0 || !strings.Contains(stdout, "sw2") || !strings.Contains(stdout, "real-vs-real floor") || !strings.Contains(stdout, "n_data     60") {
		t.Errorf("eval sample metrics: exit %d\n%s%s", code, stdout, errs)
	}
}

// Bad input: one error naming the file and the row (1-based) or what is
// wrong and what is valid; a file's content is a runtime error (exit 1), a
// setting that does not fit the data a usage error (exit 2); nothing is
// written (no run directory, an existing per-point table kept).
func TestPointsBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	var good strings.Builder
	good.WriteString("a,b\n")
	for i := 0; i < 40; i++ {
		good.WriteString("1.5,2\n3,4.25\n")
	}
	var b bytes.Buffer
	npy.Write(&b, [2][2]int32{{1, 2}, {3, 4}})
	ints := write("ints.npy", b.String())
	b.Reset()
	npy.Write(&b, [2][2][2]float64{})
	cube := write("cube.npy", b.String())
	for _, c := range []struct {
		file string
		args []string
		code int
		want string
	}{
		{write("nan.csv", "x,y\n1,2\n3,NaN\n"), nil, 1, "nan.csv:3: column 2 is NaN"},
		{write("inf.csv", "1,2\n3,-Inf\n"), nil, 1, "inf.csv:2: column 2 is -Inf"},
		{write("ragged.csv", "1,2\n3,4\n5\n"), nil, 1, "ragged.csv:3: 1 columns, earlier rows have 2"},
		{write("word.csv", "1,2\n3,four\n"), nil, 1, `word.csv:2: column 2 is "four", not a number`},
		{write("empty.csv", ""), nil, 1, "empty.csv: empty file"},
		{write("header.csv", "x,y\n"), nil, 1, "header.csv: a header row and no samples"},
		{ints, nil, 1, `ints.npy: dtype "<i4": want float32 or float64`},
		{cube, nil, 1, "cube.npy: shape [2 2 2]: want (n, d)"},
		{write("missing-dir/none.csv", ""), nil, 1, "none.csv"},
		{write("small.csv", good.String()), []string{"--batch", "100"}, 2, "72 training rows (of 80, 8 held out) are fewer than one batch of 100"},
		{write("small2.csv", good.String()), []string{"--val-frac", "0"}, 2, "--val-frac = 0: want a value > 0"},
		{write("small3.csv", good.String()), []string{"--val-frac", "0.8"}, 2, "held-out fraction 0.8: want 0 < f <= 0.5"},
	} {
		out := filepath.Join(dir, "run-"+filepath.Base(c.file))
		args := append([]string{"train", "--data", c.file, "--steps", "1", "--batch", "8", "--out", out, "--quiet"}, c.args...)
		code, _, errs := runCLI(t, args...)
		if code != c.code || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Errorf("%s: exit %d, %q; want exit %d and one line containing %q", filepath.Base(c.file), code, errs, c.code, c.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: the refused run wrote %s", filepath.Base(c.file), out)
		}
	}
	table := write("kept.csv", "previous content\n")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--points", write("bad-pts.csv", "1,2\n1,x\n"), "--per-point", table}, 1, `bad-pts.csv:2: column 2 is "x"`},
		{[]string{"--points", write("three.csv", "1,2,3\n"), "--per-point", table}, 2, "--points: " + filepath.Join(dir, "three.csv") + " has 3 columns, the model's data 2"},
		{[]string{"--per-point", table}, 2, "--per-point does not apply without --points"},
		{[]string{"--points", write("p.csv", "1,2\n"), "--metrics", "ed"}, 2, "given points are evaluated with nll only"},
	} {
		code, _, errs := runCLI(t, append([]string{"eval", "--exact", "gaussian", "--sde", "vp"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("eval %v: exit %d, %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if body, _ := os.ReadFile(table); string(body) != "previous content\n" {
		t.Errorf("a refused eval overwrote the per-point table: %q", body)
	}
}
