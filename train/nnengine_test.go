package train

import (
	"context"
	"errors"
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
