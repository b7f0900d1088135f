package sampler

import (
	"math"
	"testing"

	"phasespace/sde"
)

// A VP schedule whose ∫β reaches 4000 (β_max = 8000) samples data N(0, 0.5)
// with the exact score and no NaN: the kernels, split steps and the oracle's
// covariances stay finite however large ∫β is (they overflowed to NaN from
// ∫β ≈ 2840), and Var[x] matches the samplers' exact covariance recursion
// within 4 standard errors of 1000 draws.
func TestVPWithLargeIntegratedBetaSamplesFinite(t *testing.T) {
	t.Parallel()
	p, err := sde.NewVP(sde.VPConfig{BetaMin: 0.1, BetaMax: 8000})
	if err != nil {
		t.Fatal(err)
	}
	o := oracle(t, p, gaussian1D(0.5))
	const n = 1000
	for _, c := range []struct {
		m   Method
		nfe int
	}{{SSCS, 200}, {EM, 1000}} {
		x, _ := mustSample(t, Config{Process: p, Model: o, Method: c.m, NFE: c.nfe, Seed: 7}, n)
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%v nfe %d: sample %d = %v", c.m, c.nfe, i, v)
			}
		}
		want := gaussianFinalVar(p, c.m, c.nfe, Uniform, convDefault, 0.5)
		if v := meanSquare(x); !(math.Abs(v-want) <= 4*varSE(want, n)) {
			t.Errorf("%v nfe %d: Var[x] = %.4f, exact recursion %.4f (> 4 s.e. %.4f)", c.m, c.nfe, v, want, 4*varSE(want, n))
		}
	}
}
