package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"phasespace/classifier"
	"phasespace/imagedata"
	"phasespace/train"
)

// A 100-step U-Net training smoke run on 14×14 MNIST lowers the loss.
func TestImageTrainingSmokeRunLowersLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small U-Net; skipped in -short mode")
	}
	if _, err := imagedata.Locate("mnist"); err != nil {
		t.Skipf("MNIST unavailable: %v", err)
	}
	dir := t.TempDir()
	code, _, errs := runCLI(t, "train", "--data", "mnist", "--downsample", "--subset", "1000", "--sde", "cld",
		"--channels", "8,16", "--num-res", "1", "--batch", "16", "--steps", "100", "--lr", "2e-3",
		"--ckpt-every", "0", "--quiet", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, loss, _, err := train.ReadCurve(filepath.Join(dir, "loss.csv"))
	if err != nil || len(loss) != 100 {
		t.Fatalf("loss curve: %d rows, %v", len(loss), err)
	}
	var first, last float64
	for i := 0; i < 20; i++ {
		first += loss[i] / 20
		last += loss[80+i] / 20
	}
	t.Logf("loss: first 20 steps %.3f, last 20 %.3f", first, last)
	if !(last < 0.8*first) {
		t.Errorf("loss did not decrease: %.3f → %.3f", first, last)
	}
	lm, err := loadCheckpoint(dir)
	if err != nil || lm.Meta.Dim != 196 {
		t.Fatalf("checkpoint: %+v %v", lm, err)
	}
	grid := filepath.Join(dir, "grid.png")
	if code, _, errs := runCLI(t, "sample", "--ckpt", dir, "--sampler", "em", "--nfe", "5", "--n", "12", "--out", grid); code != 0 {
		t.Fatalf("sample grid: exit %d: %s", code, errs)
	}
	if b, err := os.ReadFile(grid); err != nil || string(b[1:4]) != "PNG" {
		t.Fatalf("grid: %v", err)
	}
	// Bits/dim of 4 dequantised test images (Hutchinson by default for images).
	code, out, errs := runCLI(t, "eval", "--ckpt", dir, "--metrics", "bpd", "--n", "4", "--rtol", "1e-3", "--atol", "1e-3", "--json")
	if code != 0 {
		t.Fatalf("eval bpd: exit %d: %s", code, errs)
	}
	var r struct {
		BPD struct {
			BPD        float64 `json:"bpd"`
			Divergence string  `json:"divergence"`
			Images     int     `json:"images"`
		} `json:"bpd"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// An untrained-ish model: finite and between the 8-bit uniform bound's
	// neighbourhood and a loose upper limit.
	if !(r.BPD.BPD > 0 && r.BPD.BPD < 20) || r.BPD.Divergence != "hutchinson" || r.BPD.Images != 4 {
		t.Fatalf("bpd result %+v", r.BPD)
	}
	t.Logf("bits/dim after 100 steps: %.3f", r.BPD.BPD)

	// Feature metrics of generated images with a (quickly trained) classifier.
	ds, _ := imagedata.Load("mnist", "train")
	small, _ := ds.Subset(500).Downsample2()
	net, err := classifier.Train(small, classifier.TrainConfig{Epochs: 1, Batch: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	cpath := filepath.Join(dir, "classifier.safetensors")
	if err := net.Save(cpath); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, "eval", "--ckpt", dir, "--metrics", "fd,kid,pr,classes", "--classifier", cpath,
		"--n", "30", "--sampler", "em", "--nfe", "5", "--json")
	if code != 0 {
		t.Fatalf("eval features: exit %d: %s", code, errs)
	}
	var fr struct {
		Features struct {
			FD    float64            `json:"fd"`
			Floor map[string]float64 `json:"floor"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(out), &fr); err != nil {
		t.Fatal(err)
	}
	// A 100-step model's samples are far from the data: FD well above the real-vs-real floor.
	if !(fr.Features.FD > fr.Features.Floor["fd"]) {
		t.Fatalf("FD %v not above the floor %v", fr.Features.FD, fr.Features.Floor["fd"])
	}
	if code, _, _ := runCLI(t, "eval", "--ckpt", dir, "--metrics", "fd"); code != 2 {
		t.Errorf("fd without --classifier: exit %d, want 2", code)
	}
}
