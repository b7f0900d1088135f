package sampler

import (
	"math"
	"testing"
)

// TestODETolerance: tightening rtol/atol costs more NFE and moves the
// samples closer to a reference solve at rtol = atol = 1e-10 from the same
// prior (the ODE is deterministic given the prior).
func TestODETolerance(t *testing.T) {
	t.Parallel()
	const n = 200
	for _, p := range processes(t) {
		o := toyOracle(t, p, "diamond")
		ref, _ := mustSample(t, Config{Process: p, Model: o, Method: ODE, RTol: 1e-10, ATol: 1e-10, Seed: 9}, n)
		prevErr, prevNFE := math.Inf(1), 0
		for _, tol := range []float64{1e-2, 1e-4, 1e-6} {
			x, st := mustSample(t, Config{Process: p, Model: o, Method: ODE, RTol: tol, ATol: tol, Seed: 9}, n)
			e := 0.0
			for i := range x {
				e = math.Max(e, math.Abs(x[i]-ref[i]))
			}
			t.Logf("%v tol %g: NFE %d (steps %d, rejected %d), max |x − x_ref| %.3g", p.Kind, tol, st.NFE, st.Steps, st.Rejected, e)
			if !(st.NFE > prevNFE) || !(e < prevErr) {
				t.Errorf("%v tol %g: NFE %d (looser: %d), error %.3g (looser: %.3g): want more NFE and smaller error", p.Kind, tol, st.NFE, prevNFE, e, prevErr)
			}
			prevErr, prevNFE = e, st.NFE
		}
		if prevErr > 1e-3 {
			t.Errorf("%v: error %.3g at tol 1e-6, want < 1e-3", p.Kind, prevErr)
		}
	}
}
