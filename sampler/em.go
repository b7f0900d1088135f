package sampler

import (
	"math"

	"phasespace/internal/parallel"
	"phasespace/rng"
)

// emStep takes one Euler–Maruyama step of the reverse SDE
// (Process.ReverseDrift) from forward time t0 down to t1 < t0 (reverse-time
// step Δ = t0 − t1), with the score and β at t0:
//
//	u ← u − β(t0)[A u − D s(u, t0)]Δ + √(β(t0) D Δ) ξ,
//
// ξ ~ N(0, I) keyed by (seed, sample index, k). k is the 1-based step
// index.
func emStep(c *Config, b *batch, k int, t0, t1 float64) error {
	if err := b.score(c, t0, k-1); err != nil {
		return err
	}
	p := b.p
	dt := t0 - t1
	rev := p.ReverseDrift(t0)
	nx := math.Sqrt(rev.Beta * p.D.XX * dt)
	nv := math.Sqrt(rev.Beta * p.D.VV * dt)
	parallel.For(b.n, minChunk, func(lo, hi int) {
		dr := rev // per-goroutine copy: the closure captures rev by value
		for i := lo; i < hi; i++ {
			r := rng.New(b.seed, rng.PurposeSamplerNoise, uint64(b.first+i), uint64(k))
			x, sx := b.row(b.x, i), b.row(b.sx, i)
			if b.order == 1 {
				for j := range x {
					x[j] += nx*r.NormFloat64() - dr.At1(x[j], sx[j])*dt
				}
				continue
			}
			v, sv := b.row(b.v, i), b.row(b.sv, i)
			for j := range x {
				xj, vj := x[j], v[j]
				ex, ev := r.NormFloat64(), r.NormFloat64()
				fx, fv := dr.At2(xj, vj, sx[j], sv[j])
				x[j] = xj - fx*dt + nx*ex
				v[j] = vj - fv*dt + nv*ev
			}
		}
	})
	return nil
}
