package sampler

import (
	"fmt"
	"testing"

	"phasespace/metrics"
	"phasespace/toy"
)

// Thresholds from docs/metrics.md, Noise floors and test thresholds
// (N = 2000 vs 2000): the largest
// real-vs-real value over 10 repeats ("max floor"), times 1.5. A
// moment-matched Gaussian scores ED 0.012 / MMD² 0.153 (diamond) and
// 0.083 / 0.146 (8gaussians), i.e. 6× to 60× above these.
var qualityLimits = map[string]struct{ ed, mmd float64 }{
	"diamond":    {1.5 * 0.0013, 1.5 * 0.0023},
	"8gaussians": {1.5 * 0.0056, 1.5 * 0.0038},
}

func quality(t *testing.T, name string, x []float64) (ed, mmd float64) {
	t.Helper()
	ref, err := toy.Sample(name, 2000, 12345)
	if err != nil {
		t.Fatal(err)
	}
	if ed, err = metrics.EnergyDistance(x, ref, 2); err != nil {
		t.Fatal(err)
	}
	if mmd, err = metrics.MMD2(x, ref, 2); err != nil {
		t.Fatal(err)
	}
	return ed, mmd
}

// TestExactScoreReachesFloors: with the exact score, every sampler on every
// SDE reaches the real-vs-real noise floor (docs/metrics.md, Noise floors
// and test thresholds) on diamond and
// 8gaussians (2000 samples vs 2000 fresh data).
func TestExactScoreReachesFloors(t *testing.T) {
	if testing.Short() {
		t.Skip("2000-sample quality runs")
	}
	// 500 NFE for EM and SSCS. SSCS uses quadratic striding: with uniform
	// striding its Euler score step under-disperses diamond's narrow
	// (σ = 0.04) modes at this budget (mode std ≈ 0.036 at 500 NFE, 0.038
	// at 1000), which MMD² detects; quadratic striding puts the steps where
	// the score is stiff (mode std 0.039).
	const nfe = 500
	seed := uint64(0)
	for _, name := range []string{"diamond", "8gaussians"} {
		lim := qualityLimits[name]
		for _, p := range processes(t) {
			o := toyOracle(t, p, name)
			for _, m := range []Method{EM, SSCS, ODE} {
				seed++
				c := Config{Process: p, Model: o, Method: m, NFE: nfe, Seed: seed, Striding: Uniform}
				if m == SSCS {
					c.Striding = Quadratic
				}
				x, st := mustSample(t, c, 2000)
				ed, mmd := quality(t, name, x)
				label := fmt.Sprintf("%s %v %v %v (NFE %d)", name, p.Kind, m, c.Striding, st.NFE)
				t.Logf("%s: ED %.5f MMD² %.5f (%v)", label, ed, mmd, st.Wall.Round(1e6))
				if ed > lim.ed || mmd > lim.mmd {
					t.Errorf("%s: ED %.5f (limit %.5f), MMD² %.5f (limit %.5f)", label, ed, lim.ed, mmd, lim.mmd)
				}
			}
		}
	}
}

// TestLowNFEFailsFloors is the negative control: the same check rejects
// EM with 20 NFE on diamond, so the thresholds have power.
func TestLowNFEFailsFloors(t *testing.T) {
	t.Parallel()
	p := processes(t)[1] // CLD
	x, _ := mustSample(t, Config{Process: p, Model: toyOracle(t, p, "diamond"), Method: EM, NFE: 20, Seed: 3}, 2000)
	ed, mmd := quality(t, "diamond", x)
	lim := qualityLimits["diamond"]
	if ed <= lim.ed || mmd <= lim.mmd {
		t.Errorf("CLD EM with 20 NFE passes the floors (ED %.5f, MMD² %.5f): thresholds too loose", ed, mmd)
	}
}
