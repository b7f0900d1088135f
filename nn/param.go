package nn

import "math/rand/v2"

// Param is a named parameter tensor with its gradient.
type Param struct {
	Name  string
	Shape []int
	Data  []float32
	Grad  []float32
	// Frozen parameters (e.g. random Fourier frequencies) are saved and
	// loaded but not updated by optimisers.
	Frozen bool
}

func newParam(name string, shape ...int) *Param {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return &Param{Name: name, Shape: shape, Data: make([]float32, n), Grad: make([]float32, n)}
}

// ZeroGrad sets the gradients of ps to zero.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		g := p.Grad
		pfor(len(g), 4*elemGrain, func(lo, hi int) { clear(g[lo:hi]) })
	}
}

// NumParams returns the number of scalars in ps.
func NumParams(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += len(p.Data)
	}
	return n
}

// uniformInit fills d with U(-bound, bound) draws.
func uniformInit(r *rand.Rand, d []float32, bound float64) {
	for i := range d {
		d[i] = float32((2*r.Float64() - 1) * bound)
	}
}

// newRand returns a PCG-backed generator for seed and stream.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
}

// grow returns b resized to n, reallocating only when its capacity is short.
func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

func prefixed(prefix string, ps ...*Param) []*Param {
	for _, p := range ps {
		p.Name = prefix + p.Name
	}
	return ps
}
