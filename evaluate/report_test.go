package evaluate

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"phasespace/model"
	"phasespace/sde"
)

// The kernel report's L is the Cholesky factor of its Σ (LLᵀ = Σ, checked
// entry by entry), VP's std squares to its variance, and a time outside
// [0, T] is refused.
func TestKernelReport(t *testing.T) {
	vp, err := model.SDESpec{Kind: sde.VP}.Process()
	if err != nil {
		t.Fatal(err)
	}
	cld, err := model.SDESpec{Kind: sde.CLD}.Process()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*sde.Process{vp, cld} {
		obj := sde.DSM
		if p.Order() == 2 {
			obj = sde.HSM
		}
		r, err := Kernel(p, obj, 0.4)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(r.Fields())
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Sigma, L [][]float64
			Std      *float64
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		for i := range f.Sigma {
			for j := range f.Sigma {
				var s float64
				for k := range f.L {
					s += f.L[i][k] * f.L[j][k]
				}
				if math.Abs(s-f.Sigma[i][j]) > 1e-12*math.Max(1, math.Abs(f.Sigma[i][j])) {
					t.Errorf("%v: (LLᵀ)[%d][%d] = %v, Σ = %v", p.Kind, i, j, s, f.Sigma[i][j])
				}
			}
		}
		if p.Order() == 1 && (f.Std == nil || math.Abs(*f.Std**f.Std-f.Sigma[0][0]) > 1e-12) {
			t.Errorf("vp: std %v for variance %v", f.Std, f.Sigma[0][0])
		}
		var b bytes.Buffer
		if err := r.WriteTable(&b); err != nil || !strings.Contains(b.String(), "ℓ_t") {
			t.Errorf("%v table (%v):\n%s", p.Kind, err, b.String())
		}
	}
	if _, err := Kernel(cld, sde.HSM, 1.5); err == nil {
		t.Error("t = 1.5 > T accepted")
	}
}

// WriteTable prints each key once, sorted, with its floor beside it; a
// nested map's floor is its own labelled part.
func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, map[string]any{"mmd2": 0.25, "ed": 0.5, "floor": map[string]any{"ed": 0.125}, "nll": map[string]any{"se": 2.0, "nll": 1.0}}); err != nil {
		t.Fatal(err)
	}
	// Only "ed" has a cell after its value, so the value column is as wide as "0.5".
	want := "ed    0.5  real-vs-real floor 0.125\nmmd2  0.25\nnll   nll=1 se=2\n"
	if b.String() != want {
		t.Fatalf("table\n%q, want\n%q", b.String(), want)
	}
	// A nested map's floors (the feature metrics') print as their own part, each key once per part.
	b.Reset()
	if err := WriteTable(&b, map[string]any{"features": map[string]any{"fd": 2.0, "kid": 0.5, "sampler": map[string]any{"nfe": 4}, "floor": map[string]any{"fd": -1.5e-6, "kid": 0.25}}}); err != nil {
		t.Fatal(err)
	}
	if want := "features  fd=2 kid=0.5 sampler={nfe=4} | real-vs-real floor: fd=-1.5e-06 kid=0.25\n"; b.String() != want {
		t.Fatalf("nested floor\n%q, want\n%q", b.String(), want)
	}
}

// The caller's input errors of Samples are *ConfigError naming the field.
func TestSamplesConfigError(t *testing.T) {
	x := []float64{0, 0, 1, 1, 2, 2}
	for _, c := range []struct {
		cfg   SampleConfig
		field string
	}{{SampleConfig{Data: "nosuchset", N: 10}, "Data"}, {SampleConfig{Data: "moons", N: 10, Metrics: []SampleMetric{Modes}}, "Metrics"}} {
		_, err := Samples(x, c.cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != c.field || !strings.HasPrefix(err.Error(), "evaluate: ") {
			t.Errorf("%+v: error %v, want a ConfigError of %s", c.cfg, err, c.field)
		}
	}
}
