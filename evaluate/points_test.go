package evaluate

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"gonum.org/v1/gonum/mat"

	"phasespace/dataset"
	"phasespace/exact"
	"phasespace/sde"
	"phasespace/toy"
)

// TestPointsNLLClosedForm: points x = μ + σ·z of a model trained on z (the
// exact VP score of the 2-D Gaussian) have NLL −log p_z(z) + Σ log σ_j in
// the data's units: the exact density's value, up to the solver tolerance,
// and the standardisation shifts the NLL by exactly Σ log σ_j against the
// same points given in z.
func TestPointsNLLClosedForm(t *testing.T) {
	p, _ := sde.NewVP(sde.DefaultVP())
	mix, _ := toy.Mixture("gaussian")
	o, err := exact.New(p, mix)
	if err != nil {
		t.Fatal(err)
	}
	z := []float64{0.3, -0.2, 1.1, 0.4, -0.7, -1.3}
	std := &dataset.Standardisation{Mean: []float64{100, -5}, Scale: []float64{10, 0.5}}
	x := append([]float64(nil), z...)
	std.Invert(x)
	dir := t.TempDir()
	px, pz := filepath.Join(dir, "x.csv"), filepath.Join(dir, "z.csv")
	if err := dataset.WriteCSV(px, x, 2); err != nil {
		t.Fatal(err)
	}
	dataset.WriteCSV(pz, z, 2)
	c := NLLConfig{Seed: 3, RTol: 1e-6, ATol: 1e-6}
	rx, err := PointsNLL(p, o, std, px, c)
	if err != nil {
		t.Fatal(err)
	}
	rz, err := PointsNLL(p, o, nil, pz, c)
	if err != nil {
		t.Fatal(err)
	}
	logDet := math.Log(10) + math.Log(0.5)
	if rx.LogDet != logDet || rx.Replicas != 1 || rz.LogDet != 0 || len(rx.NLL) != 3 {
		t.Fatalf("log-det %v (want %v), replicas %d, %d points", rx.LogDet, logDet, rx.Replicas, len(rx.NLL))
	}
	for i := range rx.NLL {
		want := -mix.LogProb(z[2*i:2*i+2]) + logDet
		if d := rx.NLL[i] - rz.NLL[i]; math.Abs(d-logDet) > 1e-9 {
			t.Errorf("point %d: standardisation shifts the NLL by %v, want Σ log σ = %v", i, d, logDet)
		}
		if math.Abs(rx.NLL[i]-want) > 2e-3 || rx.SE[i] != 0 {
			t.Errorf("point %d: NLL %v (se %v), exact %v", i, rx.NLL[i], rx.SE[i], want)
		}
	}
	// The table: a header naming the bound, one row per point, readable back.
	out := filepath.Join(dir, "per-point.csv")
	if err := rx.WriteCSV(out); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(body), `x1,x2,"nll_nats (exact (VP), exact divergence)",bits_per_dim,se_nats (1 replica)`) {
		t.Errorf("header: %q", strings.SplitN(string(body), "\n", 2)[0])
	}
	v, d, err := dataset.ReadCSV(out)
	if err != nil || d != 5 || len(v) != 15 || v[0] != x[0] || math.Abs(v[2]-rx.NLL[0]) > 1e-8 || math.Abs(v[3]-rx.NLL[0]/(2*math.Ln2)) > 1e-8 {
		t.Errorf("read back %v (d=%d): %v", v, d, err)
	}
}

// A stochastic estimate (CLD's velocity draw) is solved PerPointReplicas
// times per point and reports a positive standard error; a file of another
// dimension is a ConfigError naming the field Points; a bad file is a
// dataset.FileError.
func TestPointsNLLReplicasAndErrors(t *testing.T) {
	p, _ := sde.NewCLD(sde.DefaultCLD())
	mix, _ := toy.Mixture("gaussian")
	o, _ := exact.New(p, mix)
	dir := t.TempDir()
	f := filepath.Join(dir, "p.csv")
	dataset.WriteCSV(f, []float64{0.1, 0.2, -0.5, 0.3}, 2)
	r, err := PointsNLL(p, o, nil, f, NLLConfig{Seed: 1, RTol: 1e-3, ATol: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Replicas != PerPointReplicas || !(r.SE[0] > 0) || !(r.SE[1] > 0) || r.Bound != BoundAugmented {
		t.Errorf("replicas %d, se %v, bound %v", r.Replicas, r.SE, r.Bound)
	}
	f3 := filepath.Join(dir, "p3.csv")
	dataset.WriteCSV(f3, []float64{1, 2, 3}, 3)
	var ce *ConfigError
	if _, err := PointsNLL(p, o, nil, f3, NLLConfig{}); !errors.As(err, &ce) || ce.Field != "Points" {
		t.Errorf("3 columns for a 2-D model: %v", err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("1,2\n3,x\n"), 0o644)
	var fe *dataset.FileError
	if _, err := PointsNLL(p, o, nil, bad, NLLConfig{}); !errors.As(err, &fe) || !strings.Contains(err.Error(), "bad.csv:2: column 2") {
		t.Errorf("bad file: %v", err)
	}
}

// Samples against a point file of any d: samples that are the floor draw
// score exactly the floor, and d = 1 reports the 1-D W2 under "w2".
func TestSamplesAgainstAPointFile(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []int{1, 3} {
		y := make([]float64, 200*d)
		for i := range y {
			y[i] = math.Sin(float64(i)*1.7) * float64(1+i%d)
		}
		f := filepath.Join(dir, "y.csv")
		dataset.WriteCSV(f, y, d)
		tr, _ := dataset.Split(200, 0.5, 4)
		x := dataset.Rows(y, d, tr[:50])
		r, err := Samples(x, SampleConfig{Data: f, Dim: d, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		for name, m := range map[string]*Measure{"ed": r.ED, "mmd2": r.MMD2, "sw2": r.SW2} {
			if m == nil || m.Value != m.Floor {
				t.Errorf("d=%d %s: %+v, want value == floor", d, name, m)
			}
		}
		res := map[string]any{}
		r.Fields(res)
		if _, ok := res["w2"]; ok != (d == 1) || r.DataN != 100 || r.Samples != 50 {
			t.Errorf("d=%d: fields %v", d, res)
		}
		var ce *ConfigError
		if _, err := Samples(x[:8*d], SampleConfig{Data: f, Dim: 4}); err == nil {
			t.Errorf("d=%d: samples of another dimension accepted", d)
		} else if !errors.As(err, &ce) {
			t.Errorf("d=%d: %v is not a ConfigError", d, err)
		}
	}
}

// The per-point table names the coordinate columns as the input does: a
// CSV header row's names (a quoted name with a comma stays one column),
// x1 … xd for a headerless CSV and for NPY.
func TestPerPointColumnsFollowTheInput(t *testing.T) {
	p, _ := sde.NewVP(sde.DefaultVP())
	mix, _ := toy.Mixture("gaussian")
	o, err := exact.New(p, mix)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	named, plain := filepath.Join(dir, "named.csv"), filepath.Join(dir, "plain.csv")
	os.WriteFile(named, []byte("# a comment\n longitude ,\"lat, deg\"\n0.5,1\n-1,0.25\n"), 0o644)
	os.WriteFile(plain, []byte("0.5,1\n-1,0.25\n"), 0o644)
	npyPath := filepath.Join(dir, "p.npy")
	var b bytes.Buffer // a (2, 2) float64 array, written with npyio
	if err := npy.Write(&b, mat.NewDense(2, 2, []float64{0.5, 1, -1, 0.25})); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(npyPath, b.Bytes(), 0o644)
	for path, want := range map[string]string{named: `longitude,"lat, deg",`, plain: "x1,x2,", npyPath: "x1,x2,"} {
		r, err := PointsNLLTo(filepath.Join(dir, "out.csv"), p, o, nil, path, NLLConfig{})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := os.ReadFile(filepath.Join(dir, "out.csv"))
		if !strings.HasPrefix(string(body), want+`"nll_nats`) || len(r.NLL) != 2 {
			t.Errorf("%s: table starts %q, want %q", filepath.Base(path), strings.SplitN(string(body), "\n", 2)[0], want)
		}
	}
}
