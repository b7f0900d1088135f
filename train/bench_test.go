package train

import (
	"context"
	"testing"

	"phasespace/dataset"
	"phasespace/nn"
	"phasespace/objective"
	"phasespace/sde"
)

// BenchmarkRunCLDMLP is `phasespace train --data 8gaussians --sde cld`
// with the default MLP (4 → 256×4 → 2, batch 512) and no checkpoints
// until the end: one b.N-step run of the whole loop (data, batch
// preparation, forward, loss, backward, clipping, Adam, EMA, loss.csv).
// Profile it with -cpuprofile; bench/e2e.sh times the command itself.
func BenchmarkRunCLDMLP(b *testing.B) {
	obj := defaultCLDObjective(b)
	net, err := nn.NewMLP(nn.DefaultMLPConfig(obj.InDim(2), obj.OutDim(2)))
	if err != nil {
		b.Fatal(err)
	}
	eng, err := NewNNEngine(net, 0.999)
	if err != nil {
		b.Fatal(err)
	}
	cfg := &Config{Objective: obj, Engine: eng, Data: dataset.Toy{Name: "8gaussians"},
		Steps: int64(b.N), BatchSize: 512, LR: 1e-3, Clip: 1, OutDir: b.TempDir()}
	b.ResetTimer()
	if _, err := Run(context.Background(), cfg, State{}); err != nil {
		b.Fatal(err)
	}
}

// defaultCLDObjective is the objective of `phasespace train --data
// 8gaussians --sde cld`: CLD with β = 4, M⁻¹ = 4, γ = 0.04, HSM and the
// mixed score.
func defaultCLDObjective(b *testing.B) *objective.Config {
	p, err := sde.NewCLD(sde.CLDConfig{Schedule: sde.Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04, NumericalEps: 1e-9})
	if err != nil {
		b.Fatal(err)
	}
	return &objective.Config{Process: p, MixedScore: true}
}
