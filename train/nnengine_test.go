package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"phasespace/nn"
)

func nnConfig(t *testing.T, out string, steps int64) *Config {
	cfg := testConfig(t, out, steps)
	mc := nn.DefaultMLPConfig(cfg.Objective.InDim(2), cfg.Objective.OutDim(2))
	mc.Hidden, mc.Depth = 32, 2
	net, err := nn.NewMLP(mc)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := NewNNEngine(net, 0.99)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine = eng
	cfg.LR = 3e-3
	return cfg
}

// Resume with the real engine (Adam moments, EMA counter, weights) gives
// bit-identical weights and EMA weights.
func TestNNEngineResumeIsExact(t *testing.T) {
	full := nnConfig(t, t.TempDir(), 40)
	if _, err := Run(context.Background(), full, State{}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	part := nnConfig(t, out, 40)
	ctx, cancel := context.WithCancel(context.Background())
	part.ProgressEvery = 1
	part.Progress = func(s Status) {
		if s.Step == 17 {
			cancel()
		}
	}
	if _, err := Run(ctx, part, State{}); !errors.Is(err, ErrStopped) {
		t.Fatalf("want a stop, got %v", err)
	}
	again := nnConfig(t, out, 40)
	st, ok, err := Resume(again, nil)
	if err != nil || !ok || st.Step != 17 {
		t.Fatalf("resume: %+v %v %v", st, ok, err)
	}
	if _, err := Run(context.Background(), again, st); err != nil {
		t.Fatal(err)
	}
	a, b := full.Engine.(*NNEngine), again.Engine.(*NNEngine)
	pa, pb := a.Model.Params(), b.Model.Params()
	for i := range pa {
		for j := range pa[i].Data {
			if pa[i].Data[j] != pb[i].Data[j] || a.Avg.Shadow[i].Data[j] != b.Avg.Shadow[i].Data[j] {
				t.Fatalf("%s[%d]: uninterrupted %v (EMA %v), resumed %v (EMA %v)", pa[i].Name, j,
					pa[i].Data[j], a.Avg.Shadow[i].Data[j], pb[i].Data[j], b.Avg.Shadow[i].Data[j])
			}
		}
	}
	// The EMA model rebuilt from the checkpoint files matches the engine's EMA.
	files, _ := b.State()
	m, err := LoadEMAModel(files)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		for j := range p.Data {
			if p.Data[j] != b.Avg.Shadow[i].Data[j] {
				t.Fatalf("LoadEMAModel: %s[%d] differs", p.Name, j)
			}
		}
	}
}

// The loop gives the same losses, gradient norms, weights and EMA weights
// at 1 and 2 goroutines (at 2 the next batch is prepared while the norm is
// summed), with clipping on every step and off, and a batch large enough
// for Prepare to split its samples.
func TestRunDoesNotDependOnGoroutines(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, clip := range []float64{0, 1e-3} {
		var curves [2][]byte
		var engines [2]*NNEngine
		for k, procs := range []int{1, 2} {
			runtime.GOMAXPROCS(procs)
			out := t.TempDir()
			cfg := nnConfig(t, out, 15)
			cfg.Clip, cfg.BatchSize = clip, 300
			if _, err := Run(context.Background(), cfg, State{}); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join(out, "loss.csv"))
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(raw), "\n") {
				if i := strings.LastIndexByte(line, ','); i >= 0 {
					curves[k] = append(curves[k], line[:i+1]...) // without elapsed_s
				}
			}
			engines[k] = cfg.Engine.(*NNEngine)
		}
		if string(curves[0]) != string(curves[1]) {
			t.Errorf("clip %v: loss.csv at 1 goroutine\n%s\nat 2\n%s", clip, curves[0], curves[1])
		}
		pa, pb := engines[0].Model.Params(), engines[1].Model.Params()
		for i := range pa {
			for j := range pa[i].Data {
				if pa[i].Data[j] != pb[i].Data[j] || engines[0].Avg.Shadow[i].Data[j] != engines[1].Avg.Shadow[i].Data[j] {
					t.Fatalf("clip %v: %s[%d] differs between 1 and 2 goroutines", clip, pa[i].Name, j)
				}
			}
		}
	}
}
