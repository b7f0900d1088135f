package evaluate

import (
	"slices"
	"testing"

	"phasespace/exact"
	"phasespace/likelihood"
	"phasespace/ode"
	"phasespace/rng"
	"phasespace/sde"
	"phasespace/toy"
)

// TestNLLPointsOnTheGrid: the per-point NLL of points lo…hi−1 solved
// alone equals the same points' values in the run of all N when lo and hi
// lie on the grid of Batch (a shard), for the exact divergence and for
// Hutchinson probes with K = 3 velocities (keyed by the global index);
// NLLFrom of all values is NLL's result, and one chunk holding all points
// is the unchunked solve.
func TestNLLPointsOnTheGrid(t *testing.T) {
	t.Parallel()
	p, _ := sde.NewCLD(sde.DefaultCLD())
	mix, _ := toy.Mixture("8gaussians")
	o, err := exact.New(p, mix)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []NLLConfig{
		{N: 60, Seed: 4, Batch: 20, RTol: 1e-3, ATol: 1e-3},
		{N: 60, Seed: 4, Batch: 20, RTol: 1e-3, ATol: 1e-3, IW: 3, Divergence: likelihood.Hutchinson, Probes: 2},
	} {
		all, logp, l, err := NLLPoints(p, o, "8gaussians", c, 0, c.N)
		if err != nil || len(all) != c.N || len(logp) != c.N {
			t.Fatalf("all points: %d values, %d log-probabilities, %v", len(all), len(logp), err)
		}
		for _, r := range [][2]int{{0, 20}, {20, 60}, {40, 60}} {
			part, _, _, err := NLLPoints(p, o, "8gaussians", c, r[0], r[1])
			if err != nil || !slices.Equal(part, all[r[0]:r[1]]) {
				t.Fatalf("IW %d: points %d…%d alone differ from the full run (%v)", c.IW, r[0], r[1]-1, err)
			}
		}
		whole, err := NLL(p, o, "8gaussians", c)
		if err != nil {
			t.Fatal(err)
		}
		if from := NLLFrom(*l, all, logp, "8gaussians"); from.NLL != whole.NLL || from.SE != whole.SE || *from.TrueNLL != *whole.TrueNLL || from.NFE != whole.NFE {
			t.Fatalf("NLLFrom %+v, NLL %+v", from.Likelihood, whole.Likelihood)
		}
		c.Batch = c.N // one chunk: the unchunked solve of likelihood.NLL
		x, _ := toy.Sample("8gaussians", c.N, rng.Key(c.Seed, rng.PurposeEval, 3))
		one, _, _, _ := NLLPoints(p, o, "8gaussians", c, 0, c.N)
		d := c.withDefaults()
		r, err := likelihood.NLL(likelihood.Config{Process: p, Model: o, Solve: ode.Integrate, Eps: d.Eps, RTol: d.RTol, ATol: d.ATol,
			IW: d.IW, Probes: d.Probes, Seed: d.Seed, Divergence: d.Divergence, Probe: d.Probe}, x)
		if err != nil || !slices.Equal(one, r.NLL) {
			t.Fatalf("IW %d: one chunk differs from likelihood.NLL (%v)", c.IW, err)
		}
	}
}
