package main

import (
	"math"
	"path/filepath"
	"testing"

	"phasespace/metrics"
	"phasespace/rng"
	"phasespace/sampler"
	"phasespace/toy"
	"phasespace/train"
)

// A short CLD training run on 8gaussians lowers the loss, and its SSCS
// samples beat a moment-matched Gaussian (MMD² ≈ 0.146, docs/metrics.md, Noise floors and test thresholds) by a
// wide margin.
func TestShortTrainingBeatsMomentMatchedGaussian(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small model for a few seconds; skipped in -short mode")
	}
	dir := t.TempDir()
	code, _, errs := runCLI(t, "train", "--data", "8gaussians", "--steps", "800", "--batch", "256", "--hidden", "64",
		"--layers", "3", "--lr", "3e-3", "--warmup", "100", "--quiet", "--out", dir)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	_, loss, _, err := train.ReadCurve(filepath.Join(dir, "loss.csv"))
	if err != nil {
		t.Fatal(err)
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	first, last := mean(loss[:50]), mean(loss[len(loss)-100:])
	if !(last < 0.85*first) {
		t.Errorf("loss did not decrease: first 50 steps %.4f, last 100 %.4f", first, last)
	}
	lm, err := loadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	const n = 1500
	x, _, err := sampler.Sample(sampler.Config{Process: lm.Process, Model: lm.Score, Method: sampler.SSCS, NFE: 100, Seed: 3}, n)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := toy.Sample("8gaussians", n, 11)
	model, _ := metrics.MMD2(x, data, 2)
	// Moment-matched Gaussian of the data.
	var mx, my, sxx, sxy, syy float64
	for i := 0; i < n; i++ {
		mx += data[2*i] / n
		my += data[2*i+1] / n
	}
	for i := 0; i < n; i++ {
		a, b := data[2*i]-mx, data[2*i+1]-my
		sxx, sxy, syy = sxx+a*a/n, sxy+a*b/n, syy+b*b/n
	}
	l11 := math.Sqrt(sxx)
	l21 := sxy / l11
	l22 := math.Sqrt(syy - l21*l21)
	g := make([]float64, 2*n)
	r := rng.New(5, rng.PurposeEval)
	for i := 0; i < n; i++ {
		e1, e2 := r.NormFloat64(), r.NormFloat64()
		g[2*i], g[2*i+1] = mx+l11*e1, my+l21*e1+l22*e2
	}
	gauss, _ := metrics.MMD2(g, data, 2)
	t.Logf("MMD² trained model %.4f, moment-matched Gaussian %.4f; loss %.4f → %.4f", model, gauss, first, last)
	if !(model < gauss/5) {
		t.Errorf("trained model MMD² %.4f is not well below the Gaussian's %.4f", model, gauss)
	}
}
