package main

import (
	"fmt"
	"math"

	"phasespace/internal/parallel"
	"phasespace/metrics"
)

// mmdRef computes metrics.MMD2(x, y, d) for many x against one fixed data
// set y, faster: the y–y term is computed once, the x–x term over i < j
// only, and when the kernel's inverse squared bandwidths are integer
// multiples r_b of the smallest one c (true for metrics.MMDBandwidthFactors
// 0.05, 0.1, 0.2, 0.5, 1: r = 400, 100, 25, 4, 1) each pair costs one exp:
// exp(−q·c·r) = exp(−q·c)^r by repeated squaring, with terms below
// exp(−700) ≈ 1e-304 set to 0 (they are below the float64 resolution of
// the sum). Values agree with metrics.MMD2 to rounding (table_test.go).
type mmdRef struct {
	y     []float64
	d     int
	c     float64 // smallest inverse 2σ²
	pows  []int   // r_b, or nil to use exp per bandwidth
	inv   []float64
	yy    float64 // Σ_{i≠j} k(y_i, y_j) / (m(m−1))
	scale float64
}

func newMMDRef(y []float64, d int) (*mmdRef, error) {
	if d < 1 || len(y)%d != 0 || len(y) < 2*d {
		return nil, fmt.Errorf("mmd: need at least 2 data points of dimension %d (got %d values)", d, len(y))
	}
	s := metrics.Scale(y, d)
	r := &mmdRef{y: y, d: d, scale: s}
	for _, f := range metrics.MMDBandwidthFactors() {
		sig := f * s
		r.inv = append(r.inv, 1/(2*sig*sig))
	}
	r.c = math.Inf(1)
	for _, v := range r.inv {
		r.c = math.Min(r.c, v)
	}
	for _, v := range r.inv {
		k := math.Round(v / r.c)
		if math.Abs(v/r.c-k) > 1e-9*k {
			r.pows = nil
			break
		}
		r.pows = append(r.pows, int(k))
	}
	m := float64(len(y) / d)
	r.yy = 2 * r.pairSum(y, y, true) / (m * (m - 1))
	return r, nil
}

// kernel returns Σ_b exp(−q·inv_b).
func (r *mmdRef) kernel(q float64) float64 {
	if r.pows == nil {
		t := 0.0
		for _, c := range r.inv {
			t += math.Exp(-q * c)
		}
		return t
	}
	x := q * r.c
	e := math.Exp(-x)
	t := 0.0
	for _, p := range r.pows {
		if x*float64(p) > 700 {
			continue
		}
		t += powInt(e, p)
	}
	return t
}

func powInt(b float64, p int) float64 {
	out := 1.0
	for p > 0 {
		if p&1 == 1 {
			out *= b
		}
		b *= b
		p >>= 1
	}
	return out
}

// pairSum returns Σ k over pairs (i, j): all pairs, or i < j when upper.
func (r *mmdRef) pairSum(a, b []float64, upper bool) float64 {
	d := r.d
	na, nb := len(a)/d, len(b)/d
	partial := make([]float64, na)
	parallel.For(na, 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ai := a[i*d : (i+1)*d]
			j0 := 0
			if upper {
				j0 = i + 1
			}
			s := 0.0
			for j := j0; j < nb; j++ {
				bj := b[j*d : (j+1)*d]
				q := 0.0
				for k := range ai {
					t := ai[k] - bj[k]
					q += t * t
				}
				s += r.kernel(q)
			}
			partial[i] = s
		}
	})
	tot := 0.0
	for _, p := range partial {
		tot += p
	}
	return tot
}

// mmd2 returns the unbiased MMD² of x against the data y.
func (r *mmdRef) mmd2(x []float64) (float64, error) {
	if len(x)%r.d != 0 || len(x) < 2*r.d {
		return 0, fmt.Errorf("mmd: need at least 2 samples of dimension %d (got %d values)", r.d, len(x))
	}
	n, m := float64(len(x)/r.d), float64(len(r.y)/r.d)
	xx := 2 * r.pairSum(x, x, true) / (n * (n - 1))
	xy := r.pairSum(x, r.y, false) / (n * m)
	return xx + r.yy - 2*xy, nil
}
