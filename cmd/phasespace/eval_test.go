package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalSamplesAgainstData(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "s.csv")
	if code, _, errs := runCLI(t, "data", "--name", "8gaussians", "--n", "1500", "--seed", "9", "--out", csv); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCLI(t, "eval", "--samples", csv, "--data", "8gaussians", "--metrics", "ed,mmd,sw2,modes", "--n", "1500", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		ED, MMD2, SW2 float64
		Modes         struct {
			ModesCaptured int `json:"modes_captured"`
		}
		Floor map[string]any
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// True data scored against fresh data: inside the real-vs-real floors (docs/metrics.md, Noise floors and test thresholds, max column).
	if r.ED > 0.0056 || r.MMD2 > 0.0038 || r.SW2 > 0.167 || r.Modes.ModesCaptured != 8 || r.Floor["ed"] == nil {
		t.Fatalf("true samples scored %+v", r)
	}
	for _, bad := range [][]string{
		{"--samples", csv}, // no --data
		{"--samples", csv, "--data", "moons", "--metrics", "modes"}, // no mixture
		{"--samples", csv, "--data", "8gaussians", "--metrics", "fid"},
		{"--samples", csv, "--exact", "diamond"},
		{"--exact", "moons", "--metrics", "nll"},
		{"--exact", "diamond", "--iw", "0"},
	} {
		if code, _, errs := runCLI(t, append([]string{"eval"}, bad...)...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", bad, code, errs)
		}
	}
}

func TestEvalExactNLL(t *testing.T) {
	code, out, errs := runCLI(t, "eval", "--exact", "diamond", "--sde", "vp", "--metrics", "nll", "--n", "300", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		NLL struct {
			NLL   float64 `json:"nll"`
			SE    float64 `json:"se"`
			True  float64 `json:"true_nll_same_points"`
			NFE   int     `json:"nfe"`
			Bound string  `json:"bound"`
		} `json:"nll"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.NLL.NLL-r.NLL.True) > 0.01 || r.NLL.NFE < 10 || !strings.Contains(r.NLL.Bound, "VP") {
		t.Fatalf("exact-score VP NLL: %+v", r.NLL)
	}
}

func TestDemoWritesItsPictures(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, "demo", "--steps", "20", "--batch", "64", "--hidden", "16", "--layers", "2",
		"--n", "200", "--nfe", "20", "--quiet", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"samples.png", "trajectories.png", "loss.png", "samples.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	if !strings.Contains(out, "nll") || !strings.Contains(out, "real-vs-real floor") {
		t.Errorf("summary lacks the NLL or the floors:\n%s", out)
	}
}
