package sampler

import (
	"math"
	"testing"
)

// TestBatchInvariance: sample i is bit-identical whatever the batch it is
// drawn in (EM and SSCS): a run of 256 is compared with batches of 1 and 7
// drawn at offsets through FirstIndex. The ODE integrates a batch jointly,
// so there it agrees to within the solver tolerance.
func TestBatchInvariance(t *testing.T) {
	t.Parallel()
	const n = 256
	for _, p := range processes(t) {
		o := toyOracle(t, p, "8gaussians")
		for _, m := range []Method{EM, SSCS, ODE} {
			c := Config{Process: p, Model: o, Method: m, NFE: 12, Seed: 42, Striding: Quadratic}
			full, _ := mustSample(t, c, n)
			for _, sub := range []struct{ first, size int }{{0, 1}, {200, 1}, {0, 7}, {63, 7}, {249, 7}} {
				c.FirstIndex = sub.first
				x, _ := mustSample(t, c, sub.size)
				want := full[2*sub.first : 2*(sub.first+sub.size)]
				for i := range x {
					if m != ODE && x[i] != want[i] {
						t.Fatalf("%v %v: sample %d coordinate %d is %v in a batch of %d at %d, %v in the batch of %d", p.Kind, m, sub.first+i/2, i%2, x[i], sub.size, sub.first, want[i], n)
					}
					if m == ODE && math.Abs(x[i]-want[i]) > 1e-2 {
						t.Fatalf("%v ODE: sample %d differs by %v between batch sizes", p.Kind, sub.first+i/2, x[i]-want[i])
					}
				}
			}
			c.FirstIndex = 0
			again, _ := mustSample(t, c, n)
			for i := range again {
				if again[i] != full[i] {
					t.Fatalf("%v %v: rerun with the same seed differs at %d", p.Kind, m, i)
				}
			}
			c.Seed = 43
			other, _ := mustSample(t, c, n)
			if other[0] == full[0] {
				t.Errorf("%v %v: a different seed gives the same first sample", p.Kind, m)
			}
		}
	}
}
