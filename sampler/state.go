package sampler

import (
	"fmt"
	"math"

	"phasespace/internal/parallel"
	"phasespace/rng"
	"phasespace/sde"
)

// minChunk is the smallest number of samples per goroutine in the
// per-sample update loops.
const minChunk = 64

// batch is the state of n samples of dimension d with score buffers.
type batch struct {
	p      *sde.Process
	n, d   int
	order  int
	first  int // global index of sample 0
	seed   uint64
	x, v   []float64 // n×d each; v nil for VP
	sx, sv []float64
}

func newBatch(c *Config, n int) *batch {
	d := c.Model.Dim()
	b := &batch{p: c.Process, n: n, d: d, order: c.Process.Order(), first: c.FirstIndex, seed: c.Seed}
	b.x, b.sx = make([]float64, n*d), make([]float64, n*d)
	if b.order == 2 {
		b.v, b.sv = make([]float64, n*d), make([]float64, n*d)
	}
	return b
}

// rowsOf returns row i of a (nil for a nil a).
func (b *batch) row(a []float64, i int) []float64 {
	if a == nil {
		return nil
	}
	return a[i*b.d : (i+1)*b.d]
}

// prior draws each sample from the stationary law with a generator keyed by
// (seed, PurposePrior, sample index).
func (b *batch) prior() {
	parallel.For(b.n, minChunk, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			r := rng.New(b.seed, rng.PurposePrior, uint64(b.first+i))
			b.p.PriorSample(r, b.row(b.x, i), b.row(b.v, i))
		}
	})
}

// score evaluates the model at forward time t into sx, sv and reports a
// non-finite score.
func (b *batch) score(c *Config, t float64, step int) error {
	c.Model.Score(t, b.x, b.v, b.sx, b.sv)
	if err := b.check(b.sx, "score ∇ₓ", t, step); err != nil {
		return err
	}
	return b.check(b.sv, "score ∇ᵥ", t, step)
}

// checkState reports a non-finite position or velocity.
func (b *batch) checkState(t float64, step int) error {
	if err := b.check(b.x, "position x", t, step); err != nil {
		return err
	}
	return b.check(b.v, "velocity v", t, step)
}

func (b *batch) check(a []float64, what string, t float64, step int) error {
	for j, val := range a {
		if math.IsNaN(val) || math.IsInf(val, 0) {
			return fmt.Errorf("%w: %s of sample %d (coordinate %d) is %v after step %d at forward time t = %.6g", ErrNonFinite, what, b.first+j/b.d, j%b.d, val, step, t)
		}
	}
	return nil
}
