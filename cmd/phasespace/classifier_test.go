package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func writeIDX(t *testing.T, path string, dims []uint32, data []byte) {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeSyntheticIDX writes an IDX directory of two easy classes of side×side
// images (bright top half vs bright bottom half) and returns it.
func writeSyntheticIDX(t *testing.T, side, nTrain, nTest int) string {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 1))
	for _, split := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		px := make([]byte, split.n*side*side)
		lb := make([]byte, split.n)
		for i := 0; i < split.n; i++ {
			lb[i] = byte(i % 2)
			for y := 0; y < side; y++ {
				for x := 0; x < side; x++ {
					v := r.IntN(60)
					if (y < side/2) == (lb[i] == 0) {
						v += 150
					}
					px[i*side*side+y*side+x] = byte(v)
				}
			}
		}
		writeIDX(t, filepath.Join(dir, split.prefix+"-images-idx3-ubyte"), []uint32{uint32(split.n), uint32(side), uint32(side)}, px)
		writeIDX(t, filepath.Join(dir, split.prefix+"-labels-idx1-ubyte"), []uint32{uint32(split.n)}, lb)
	}
	return dir
}

// The classifier command on a synthetic IDX directory: two easy classes
// (bright top half vs bright bottom half) are learned, and the floors are
// reported.
func TestClassifierCommandOnSyntheticIDX(t *testing.T) {
	dir := writeSyntheticIDX(t, 12, 600, 200)
	out := filepath.Join(t.TempDir(), "c.safetensors")
	code, stdout, errs := runCLI(t, "classifier", "--data", dir, "--epochs", "3", "--floor-n", "200", "--out", out, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Acc   float64            `json:"test_accuracy"`
		Floor map[string]float64 `json:"floor"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Acc < 0.95 || res.Floor["fd_train_vs_test"] < 0 || res.Floor["precision_train_vs_test"] < 0.5 {
		t.Fatalf("result %+v", res)
	}
	if code, _, _ := runCLI(t, "classifier", "--data", dir); code != 2 {
		t.Errorf("missing --out: exit %d, want 2", code)
	}
}
