package likelihood

import (
	"math"
	"testing"

	"phasespace/exact"
	"phasespace/mixture"
	"phasespace/ode"
)

// With the exact score and the adaptive solver, VP gives the true NLL of the
// data (analytic) within 3 standard errors, on diamond and on a Gaussian;
// CLD and PSLD give bounds that are not below it.
func TestAdaptiveSolverRecoversTrueNLL(t *testing.T) {
	for _, data := range []*mixture.Mixture{diamond(), mixture.Isotropic([][]float64{{0.3, -0.2}}, 0.6)} {
		x := draw(data, 300, 11)
		n := len(x) / 2
		var truth, t2 float64
		for i := 0; i < n; i++ {
			lp := data.LogProb(x[2*i : 2*i+2])
			truth -= lp / float64(n)
			t2 += lp * lp / float64(n)
		}
		for _, p := range processes(t) {
			o, _ := exact.New(p, data)
			res, err := NLL(Config{Process: p, Model: o, Solve: ode.Integrate, Seed: 2}, x)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v: NLL %.4f ± %.4f (truth %.4f), NFE %d", p, res.Mean, res.SE, truth, res.NFE)
			if p.Order() == 1 {
				// Paired with the truth on the same points: the difference is tiny.
				if math.Abs(res.Mean-truth) > 3*res.SE || math.Abs(res.Mean-truth) > 0.01 {
					t.Errorf("%v: NLL %v, truth %v (s.e. %v)", p, res.Mean, truth, res.SE)
				}
			} else if res.Mean < truth-3*res.SE {
				t.Errorf("%v: bound %v below the truth %v by more than 3 s.e. %v", p, res.Mean, truth, res.SE)
			}
			if res.NFE < 20 {
				t.Errorf("%v: only %d score evaluations", p, res.NFE)
			}
		}
	}
}

// Tightening the tolerance uses more evaluations and moves the estimate by
// less than its error bar.
func TestToleranceTighteningIsStable(t *testing.T) {
	data := diamond()
	x := draw(data, 200, 12)
	p := processes(t)[1]
	o, _ := exact.New(p, data)
	loose, err := NLL(Config{Process: p, Model: o, Solve: ode.Integrate, RTol: 1e-3, ATol: 1e-3, Seed: 4}, x)
	if err != nil {
		t.Fatal(err)
	}
	tight, err := NLL(Config{Process: p, Model: o, Solve: ode.Integrate, RTol: 1e-6, ATol: 1e-6, Seed: 4}, x)
	if err != nil {
		t.Fatal(err)
	}
	if !(tight.NFE > loose.NFE) {
		t.Errorf("NFE: tight %d, loose %d", tight.NFE, loose.NFE)
	}
	if d := math.Abs(tight.Mean - loose.Mean); d > tight.SE {
		t.Errorf("estimate moved by %v between rtol 1e-3 and 1e-6, more than its s.e. %v", d, tight.SE)
	}
}
