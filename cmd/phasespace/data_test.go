package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"phasespace/dataset"
	"phasespace/toy"
)

func TestDataCSVRoundTripAndPNG(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	if code, _, errs := runCLI(t, "data", "--name", "moons", "--n", "300", "--seed", "4", "--out", csv); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	x, d, err := dataset.ReadCSV(csv)
	if err != nil || d != 2 || len(x) != 600 {
		t.Fatalf("read back %d values of dim %d: %v", len(x), d, err)
	}
	want, _ := toy.Sample("moons", 300, 4)
	for i := range want {
		if x[i] != want[i] {
			t.Fatalf("value %d: %v, want %v (full precision lost)", i, x[i], want[i])
		}
	}
	png := filepath.Join(dir, "d.png")
	if code, _, errs := runCLI(t, "data", "--name", "diamond", "--n", "500", "--out", png); code != 0 {
		t.Fatalf("png: exit %d: %s", code, errs)
	}
	if b, err := os.ReadFile(png); err != nil || len(b) < 1000 || string(b[1:4]) != "PNG" {
		t.Fatalf("png output: %d bytes, %v", len(b), err)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--name", "nope", "--n", "3", "--out", csv}, "valid:"},
		{[]string{"--name", "moons", "--n", "0", "--out", csv}, "--n"},
		{[]string{"--name", "moons", "--n", "3"}, "--out"},
		{[]string{"--n", "3", "--out", csv}, "--name"},
	} {
		code, _, errs := runCLI(t, append([]string{"data"}, c.args...)...)
		if code != 2 || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stderr %q (want 2 and %q)", c.args, code, errs, c.msg)
		}
	}
	// An unwritable destination fails cleanly (exit 1) and leaves nothing behind.
	bad := filepath.Join(dir, "no-such-dir", "x.csv")
	if code, _, _ := runCLI(t, "data", "--name", "moons", "--n", "3", "--out", bad); code != 1 {
		t.Errorf("unwritable --out: exit %d, want 1", code)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestTrainCommandWritesCheckpointsAndRefusesToClobber(t *testing.T) {
	dir := t.TempDir()
	args := []string{"train", "--data", "diamond", "--steps", "30", "--batch", "64", "--hidden", "16", "--layers", "2",
		"--ckpt-every", "10", "--quiet", "--out", dir}
	if code, _, errs := runCLI(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"loss.csv", "loss.png", "checkpoints/latest"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	lm, err := loadCheckpoint(dir)
	if err != nil || lm.Step != 30 || lm.Meta.Data != "diamond" || lm.Meta.SDE.Kind != "cld" {
		t.Fatalf("checkpoint: %+v %v", lm, err)
	}
	// Running again without --resume would overwrite: refused with exit 2.
	if code, _, errs := runCLI(t, args...); code != 2 || !strings.Contains(errs, "--resume") {
		t.Fatalf("second run: exit %d, %s", code, errs)
	}
	for _, bad := range [][]string{
		{"--steps", "0"}, {"--lr", "-1"}, {"--batch", "0"}, {"--ema", "1"}, {"--weighting", "xx"},
		{"--data", "nope"}, {"--importance-t"}, {"--sde", "vp", "--objective", "hsm"}, {"--time-budget", "-1s"},
	} {
		a := append([]string{"train", "--quiet", "--out", t.TempDir()}, bad...)
		if code, _, errs := runCLI(t, a...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", bad, code, errs)
		}
	}
}
