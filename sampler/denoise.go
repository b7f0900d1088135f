package sampler

import "phasespace/internal/parallel"

// denoise takes the final deterministic Euler step of the reverse-SDE drift
// (Process.ReverseDrift) from forward time ε to 0 (one NFE; see
// docs/samplers.md):
//
//	u ← u − β(ε)[A u − D s(u, ε)]ε.
//
// All methods use the reverse-SDE drift here, as CLD's code does for both
// its SDE and ODE samplers (PSLD's ODE sampler uses the probability-flow
// drift instead).
func denoise(c *Config, b *batch, st *Stats) error {
	t := c.Eps
	if err := b.score(c, t, st.Steps); err != nil {
		return err
	}
	st.NFE++
	rev := b.p.ReverseDrift(t)
	parallel.For(b.n, minChunk, func(lo, hi int) {
		dr := rev // per-goroutine copy: the closure captures rev by value
		for i := lo; i < hi; i++ {
			x, sx := b.row(b.x, i), b.row(b.sx, i)
			if b.order == 1 {
				for j := range x {
					x[j] -= dr.At1(x[j], sx[j]) * t
				}
				continue
			}
			v, sv := b.row(b.v, i), b.row(b.sv, i)
			for j := range x {
				fx, fv := dr.At2(x[j], v[j], sx[j], sv[j])
				x[j] -= fx * t
				v[j] -= fv * t
			}
		}
	})
	return b.checkState(0, st.Steps+1)
}
