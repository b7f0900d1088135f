package sampler

import "phasespace/internal/parallel"

// denoise takes the final deterministic Euler step of the reverse-SDE drift
// from forward time ε to 0 (spec C.2; one NFE):
//
//	u ← u + β(ε)[−A u + D s(u, ε)]ε.
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
	beta := b.p.Beta(t)
	a, dd := b.p.A, b.p.D
	parallel.For(b.n, minChunk, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x, sx := b.row(b.x, i), b.row(b.sx, i)
			if b.order == 1 {
				for j := range x {
					x[j] += beta * (-a.XX*x[j] + dd.XX*sx[j]) * t
				}
				continue
			}
			v, sv := b.row(b.v, i), b.row(b.sv, i)
			for j := range x {
				xj, vj := x[j], v[j]
				x[j] = xj + beta*(-(a.XX*xj+a.XV*vj)+dd.XX*sx[j])*t
				v[j] = vj + beta*(-(a.VX*xj+a.VV*vj)+dd.VV*sv[j])*t
			}
		}
	})
	return b.checkState(0, st.Steps+1)
}
