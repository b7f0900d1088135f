package sampler

import (
	"sync/atomic"
	"testing"

	"phasespace/exact"
	"phasespace/mixture"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/toy"
)

// processes returns the default VP, CLD and PSLD (sde.DefaultVP(),
// sde.DefaultCLD(), sde.DefaultPSLD(): the papers' CIFAR-10 settings).
func processes(t testing.TB) []*sde.Process {
	t.Helper()
	vp, err := sde.NewVP(sde.DefaultVP())
	if err != nil {
		t.Fatal(err)
	}
	cld, err := sde.NewCLD(sde.DefaultCLD())
	if err != nil {
		t.Fatal(err)
	}
	psld, err := sde.NewPSLD(sde.DefaultPSLD())
	if err != nil {
		t.Fatal(err)
	}
	return []*sde.Process{vp, cld, psld}
}

func oracle(t testing.TB, p *sde.Process, m *mixture.Mixture) *exact.Oracle {
	t.Helper()
	o, err := exact.New(p, m)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func toyOracle(t testing.TB, p *sde.Process, name string) *exact.Oracle {
	t.Helper()
	m, ok := toy.Mixture(name)
	if !ok {
		t.Fatalf("toy.Mixture(%q) unavailable", name)
	}
	return oracle(t, p, m)
}

// gaussian1D is the data of the Gaussian sanity check (docs/method.md,
// Gaussian sanity check of the samplers): one coordinate, x₀ ~ N(0, v).
func gaussian1D(v float64) *mixture.Mixture {
	return &mixture.Mixture{Dim: 1, Components: []mixture.Component{{Weight: 1, Mean: []float64{0}, Var: []float64{v}}}}
}

// counting wraps a model and counts Score calls.
type counting struct {
	score.Model
	calls atomic.Int64
}

func (c *counting) Score(t float64, x, v, sx, sv []float64) {
	c.calls.Add(1)
	c.Model.Score(t, x, v, sx, sv)
}

func mustSample(t testing.TB, c Config, n int) ([]float64, Stats) {
	t.Helper()
	x, st, err := Sample(c, n)
	if err != nil {
		t.Fatalf("%v %v nfe %d: %v", c.Process.Kind, c.Method, c.NFE, err)
	}
	return x, st
}

func meanSquare(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s / float64(len(x))
}
