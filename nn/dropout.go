package nn

import "math/rand/v2"

// Dropout zeroes each element with probability P in training mode and
// scales the survivors by 1/(1−P) (inverted dropout). Masks are drawn from
// its own seeded PCG stream (16-bit resolution), so runs are reproducible.
type Dropout struct {
	P    float64
	rng  *rand.Rand
	mask []float32 // 0 or 1/(1−P); nil after an inference forward
	on   bool
}

// NewDropout returns dropout with probability p drawing from r.
func NewDropout(p float64, r *rand.Rand) *Dropout { return &Dropout{P: p, rng: r} }

// apply masks x in place (training) and remembers the mask for backward.
func (d *Dropout) apply(x []float32, train bool) {
	d.on = train && d.P > 0
	if !d.on {
		return
	}
	d.mask = grow(d.mask, len(x))
	thr := uint64(d.P * 65536)
	keep := float32(1 / (1 - d.P))
	for i := 0; i < len(x); i += 4 {
		u := d.rng.Uint64()
		for j := i; j < min(i+4, len(x)); j++ {
			if u&0xffff < thr {
				d.mask[j] = 0
			} else {
				d.mask[j] = keep
			}
			u >>= 16
		}
	}
	pfor(len(x), elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] *= d.mask[i]
		}
	})
}

// grad masks dy in place with the last training mask.
func (d *Dropout) grad(dy []float32) {
	if !d.on {
		return
	}
	pfor(len(dy), elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dy[i] *= d.mask[i]
		}
	})
}
