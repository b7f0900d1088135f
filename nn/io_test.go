package nn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveLoadModel(t *testing.T) {
	dir := t.TempDir()
	m := tinyMLP(t, EmbedFourier, true)
	path := filepath.Join(dir, "m.safetensors")
	if err := SaveModel(path, m, map[string]string{"step": "7"}); err != nil {
		t.Fatal(err)
	}
	got, md, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if md["step"] != "7" {
		t.Errorf("metadata %v", md)
	}
	x := []float32{0.1, 0.2, 0.3, -1, 0, 1}
	ts := []float32{0.3, 0.8}
	a := append([]float32(nil), m.Forward(x, ts, 2, false)...)
	b := got.Forward(x, ts, 2, false)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("loaded model output %v, want %v", b, a)
		}
	}
	// Rebuild from the standalone JSON spec plus the weights.
	spec, err := ParseSpec(m.Spec().JSON())
	if err != nil {
		t.Fatal(err)
	}
	spec.MLP.Seed = 99 // different init: the weights must come from the file
	m2, err := LoadModelSpec(spec, path)
	if err != nil {
		t.Fatal(err)
	}
	c := m2.Forward(x, ts, 2, false)
	for i := range a {
		if a[i] != c[i] {
			t.Fatal("LoadModelSpec output differs")
		}
	}
	// Shape mismatch is a clear error.
	other, _ := NewMLP(MLPConfig{InDim: 3, OutDim: 2, Hidden: 7, Depth: 2, TimeDim: 4, Embedding: EmbedFourier, TimeScale: 1})
	if _, err := LoadParams(path, other.Params()); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("mismatched shapes: err = %v", err)
	}
	// Missing and unknown tensors.
	if _, err := LoadParams(path, append(m.Params(), newParam("extra", 1))); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing tensor: err = %v", err)
	}
	if _, err := LoadParams(path, m.Params()[1:]); err == nil || !strings.Contains(err.Error(), "unexpected") {
		t.Errorf("extra tensor: err = %v", err)
	}
	// A plain parameter file has no spec.
	p2 := filepath.Join(dir, "p.safetensors")
	if err := SaveParams(p2, m.Params(), nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadModel(p2); err == nil {
		t.Error("LoadModel accepted a file without a spec")
	}
	if _, err := os.Stat(p2); err != nil {
		t.Fatal(err)
	}
}
