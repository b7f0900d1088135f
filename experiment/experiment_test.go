package experiment

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"phasespace/classifier"
	"phasespace/sampler"
	"phasespace/sde"
)

// writeIDX writes synthetic 12×12 train and test splits: class 0 bright in
// the top half, class 1 in the bottom half.
func writeIDX(t *testing.T, nTrain, nTest int) string {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 1))
	const side = 12
	for _, s := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		px, lb := make([]byte, s.n*side*side), make([]byte, s.n)
		for i := range lb {
			lb[i] = byte(i % 2)
			for j := 0; j < side*side; j++ {
				v := r.IntN(60)
				if (j/side < side/2) == (lb[i] == 0) {
					v += 150
				}
				px[i*side*side+j] = byte(v)
			}
		}
		write := func(name string, dims []uint32, data []byte) {
			head := []byte{0, 0, 0x08, byte(len(dims))}
			for _, d := range dims {
				head = binary.BigEndian.AppendUint32(head, d)
			}
			if err := os.WriteFile(filepath.Join(dir, name), append(head, data...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(s.prefix+"-images-idx3-ubyte", []uint32{uint32(s.n), side, side}, px)
		write(s.prefix+"-labels-idx1-ubyte", []uint32{uint32(s.n)}, lb)
	}
	return dir
}

// TestImageBenchTiny runs the benchmark end to end on tiny synthetic images
// and checks that a rerun reuses every cached piece (same table).
func TestImageBenchTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a U-Net for 1 s; skipped with -short")
	}
	data := writeIDX(t, 40, 20)
	out := t.TempDir()
	net, _ := classifier.New(12, 1)
	cpath := filepath.Join(out, "c.safetensors")
	if err := net.Save(cpath); err != nil {
		t.Fatal(err)
	}
	cols, err := ParseBenchSamplers("sscs:4,em:4")
	if err != nil {
		t.Fatal(err)
	}
	c := ImageBenchConfig{Out: out, Data: data, FullResolution: true, SDEs: []sde.Kind{sde.CLD}, Budget: time.Second,
		Channels: []int{8}, Batch: 8, Samplers: cols, N: 12, BPDN: 2, RTol: 1e-2, ATol: 1e-2, Classifier: cpath}
	table, err := ImageBench(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| real | train vs test |", "| cld | sscs-4 | 4 |", "| cld | em-4 | 4 |", "(2 images)"} {
		if !strings.Contains(table, want) {
			t.Errorf("no %q in\n%s", want, table)
		}
	}
	for _, g := range []string{"real.png", "cld-sscs-4.png", "cld-em-4.png"} {
		if _, err := os.Stat(filepath.Join(out, "grids", g)); err != nil {
			t.Errorf("grid: %v", err)
		}
	}
	again, err := ImageBench(context.Background(), c)
	if err != nil || again != table {
		t.Errorf("rerun: %v; table changed:\n%s\nvs\n%s", err, again, table)
	}
}

func TestGridResumesFinishedCells(t *testing.T) {
	if testing.Short() {
		t.Skip("trains and evaluates a 256×4 MLP (~1 s, half a minute without the assembly kernels); skipped with -short")
	}
	out := t.TempDir()
	c := GridConfig{Out: out, Data: []string{"diamond"}, Runs: []Run{{sde.CLD, sde.HSM}}, Steps: 3, N: 20, NFE: 4}
	table, err := Grid(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(table)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "| diamond | cld | hsm | 3 | ") || !strings.Contains(lines[2], "| -1.4021 |") {
		t.Fatalf("results.md:\n%s", raw)
	}
	// A finished cell is not trained again, even without its checkpoints.
	os.RemoveAll(filepath.Join(out, "diamond-cld-hsm", "checkpoints"))
	var rows strings.Builder
	c.Rows = &rows
	if _, err := Grid(context.Background(), c); err != nil || rows.Len() != 0 {
		t.Fatalf("rerun: %v, new rows %q", err, rows.String())
	}
	again, _ := os.ReadFile(table)
	if string(again) != string(raw) {
		t.Errorf("table changed on rerun:\n%s\nvs\n%s", again, raw)
	}
}

func TestParsers(t *testing.T) {
	cols, err := ParseBenchSamplers(DefaultBenchSamplers)
	if err != nil || len(cols) != 8 || cols[0] != (BenchSampler{Method: sampler.SSCS, NFE: 50}) || cols[7].Name() != "ode-rtol1e-05" {
		t.Errorf("default columns: %v, %v", cols, err)
	}
	for _, bad := range []string{"sscs", "ode:2", "em:1", "heun:10"} {
		if _, err := ParseBenchSamplers(bad); err == nil || !strings.HasPrefix(err.Error(), "experiment: ") || strings.Contains(err.Error(), "--") {
			t.Errorf("ParseBenchSamplers(%q): %v", bad, err)
		}
	}
	for _, r := range DefaultGridRuns() {
		if got, err := ParseRun(r.String()); err != nil || got != r {
			t.Errorf("ParseRun(%q) = %v, %v", r, got, err)
		}
	}
	for _, bad := range []string{"cld", "ve/dsm", "cld/sm"} {
		if _, err := ParseRun(bad); err == nil {
			t.Errorf("ParseRun(%q) accepted", bad)
		}
	}
	if _, err := Grid(context.Background(), GridConfig{}); err == nil {
		t.Error("Grid without Out accepted")
	}
	if _, err := ImageBench(context.Background(), ImageBenchConfig{Out: t.TempDir(), Data: "8gaussians"}); err == nil || !strings.Contains(err.Error(), "not image data") {
		t.Errorf("ImageBench on toy data: %v", err)
	}
}
