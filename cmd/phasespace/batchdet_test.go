package main

import (
	"fmt"
	"math"
	"path/filepath"
	"phasespace/dataset"
	"runtime"
	"testing"
)

// Sample i of a trained model is the same whatever the number of samples
// drawn at once and the goroutine count (docs/samplers.md), through a
// checkpoint: a CLD MLP trained a few steps, saved, reloaded by the sample
// command with EM and SSCS for n = 1, 5 and 9; the rows the runs share are
// bit for bit equal (the CSV holds full precision). The hidden width 64
// puts the hidden layers' products with a batch of at most 4 rows on the
// transposed-product path, where the sums once ran in another order.
func TestTrainedModelSamplesDoNotDependOnBatchSize(t *testing.T) {
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "run")
	if code, _, errs := runCLI(t, "train", "--data", "8gaussians", "--sde", "cld", "--steps", "20", "--hidden", "64",
		"--layers", "2", "--batch", "64", "--seed", "3", "--quiet", "--out", ckpt); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, method := range []string{"em", "sscs"} {
		var ref []float64 // the 9 samples, 2 values each, of the first run
		for _, run := range []struct{ n, procs int }{{9, 2}, {1, 2}, {5, 2}, {1, 1}, {5, 1}, {9, 1}} {
			runtime.GOMAXPROCS(run.procs)
			csv := filepath.Join(dir, fmt.Sprintf("%s-%d-%d.csv", method, run.n, run.procs))
			if code, _, errs := runCLI(t, "sample", "--ckpt", ckpt, "--sampler", method, "--nfe", "40", "--seed", "5",
				"--n", fmt.Sprint(run.n), "--out", csv); code != 0 {
				t.Fatalf("sample %s --n %d: exit %d: %s", method, run.n, code, errs)
			}
			x, d, err := dataset.ReadCSV(csv)
			if err != nil || d != 2 || len(x) != 2*run.n {
				t.Fatalf("%s --n %d: read back %d values of dim %d: %v", method, run.n, len(x), d, err)
			}
			if ref == nil {
				ref = x
				continue
			}
			for i, v := range x {
				if math.Float64bits(v) != math.Float64bits(ref[i]) {
					t.Fatalf("%s, %d goroutines: sample %d value %d with --n %d is %v, with --n 9 and 2 goroutines %v", method, run.procs, i/2, i%2, run.n, v, ref[i])
				}
			}
		}
	}
}
