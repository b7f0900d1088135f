package nn

import "math"

// GroupNorm normalises each (sample, group of C/G channels) over its
// channels and positions, then applies a per-channel affine map
// γ·x̂ + β (as torch.nn.GroupNorm, ε = 1e-5) and, if SiLU is set, a fused
// SiLU. It works on channel-major (C×B×H×W) maps.
//
// The forward pass stores only the output, the sigmoids (with SiLU) and the
// per-group mean and 1/σ; the backward pass recomputes x̂ from the cached
// input, which saves memory traffic.
type GroupNorm struct {
	C, G  int
	SiLU  bool
	Gamma *Param
	Beta  *Param

	b, hw      int
	x          []float32 // cached input (not owned)
	s          []float32 // sigmoid(z) with SiLU
	y, dx      []float32
	mean, rstd []float32 // per (b, g)
	part       []float64 // per (b, c): Σ dz·x̂ and Σ dz
}

// NewGroupNorm returns a GroupNorm with γ = 1, β = 0.
func NewGroupNorm(name string, c, g int, silu bool) *GroupNorm {
	if c%g != 0 {
		panic("nn: GroupNorm channels not divisible by groups")
	}
	n := &GroupNorm{C: c, G: g, SiLU: silu, Gamma: newParam(name+".weight", c), Beta: newParam(name+".bias", c)}
	for i := range n.Gamma.Data {
		n.Gamma.Data[i] = 1
	}
	return n
}

// OutChannels implements Layer.
func (n *GroupNorm) OutChannels() int { return n.C }

// Params implements Layer.
func (n *GroupNorm) Params() []*Param { return []*Param{n.Gamma, n.Beta} }

// Forward implements Layer.
func (n *GroupNorm) Forward(x []float32, b, h, w int, _ bool) ([]float32, int, int) {
	n.b, n.hw, n.x = b, h*w, x
	hw, cg := n.hw, n.C/n.G
	size := n.C * b * hw
	n.y = grow(n.y, size)
	if n.SiLU {
		n.s = grow(n.s, size)
	}
	n.mean = grow(n.mean, b*n.G)
	n.rstd = grow(n.rstd, b*n.G)
	pfor(b*n.G, max(1, elemGrain/(cg*hw)), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			bb, g := t/n.G, t%n.G
			// One pass over the group, shifted by a pivot against
			// cancellation in E[x²] − E[x]².
			k := x[(g*cg*b+bb)*hw]
			var sum, ss float64
			for c := g * cg; c < (g+1)*cg; c++ {
				s, q := shiftedSums(x[(c*b+bb)*hw:(c*b+bb+1)*hw], k)
				sum += float64(s)
				ss += float64(q)
			}
			cnt := float64(cg * hw)
			m := sum / cnt
			v := max(ss/cnt-m*m, 0)
			mean := float32(m + float64(k))
			rstd := float32(1 / math.Sqrt(v+1e-5))
			n.mean[t], n.rstd[t] = mean, rstd
			for c := g * cg; c < (g+1)*cg; c++ {
				o := (c*b + bb) * hw
				xs, ys := x[o:o+hw], n.y[o:o+hw]
				// y = a·x + e with a = γ/σ, e = β − a·mean.
				a := n.Gamma.Data[c] * rstd
				e := n.Beta.Data[c] - a*mean
				if !n.SiLU {
					for i, v := range xs {
						ys[i] = a*v + e
					}
					continue
				}
				ss := n.s[o : o+hw]
				for i, v := range xs {
					ys[i] = a*v + e
				}
				sigmoidSlice(ss, ys)
				for i, sg := range ss {
					ys[i] *= sg
				}
			}
		}
	})
	return n.y, h, w
}

// Backward implements Layer.
func (n *GroupNorm) Backward(dy []float32, needDx, accum bool) []float32 {
	b, hw, cg := n.b, n.hw, n.C/n.G
	n.part = growF64(n.part, 2*b*n.C)
	n.dx = grow(n.dx, n.C*b*hw)
	dx := n.dx
	pfor(b*n.G, max(1, elemGrain/(cg*hw)), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			bb, g := t/n.G, t%n.G
			mean, rstd := n.mean[t], n.rstd[t]
			// dz is written into dx first, then turned into the input gradient.
			var sdx, sdxx float64 // Σ γ·dz, Σ γ·dz·x̂ over the group
			for c := g * cg; c < (g+1)*cg; c++ {
				o := (c*b + bb) * hw
				d, xs, ys := dx[o:o+hw], n.x[o:o+hw], dy[o:o+hw]
				ga, be := n.Gamma.Data[c], n.Beta.Data[c]
				var a, s float32
				if n.SiLU {
					ss := n.s[o : o+hw]
					for i, v := range xs {
						q := (v - mean) * rstd
						z := ga*q + be
						sg := ss[i]
						d[i] = ys[i] * sg * (1 + z*(1-sg))
					}
					a, s = dotSum(d, xs, mean, rstd)
				} else {
					copy(d, ys)
					a, s = dotSum(d, xs, mean, rstd)
				}
				n.part[2*(bb*n.C+c)] = float64(a)
				n.part[2*(bb*n.C+c)+1] = float64(s)
				sdx += float64(ga) * float64(s)
				sdxx += float64(ga) * float64(a)
			}
			if !needDx {
				continue
			}
			cnt := float64(cg * hw)
			m1, m2 := float32(sdx/cnt), float32(sdxx/cnt)
			for c := g * cg; c < (g+1)*cg; c++ {
				o := (c*b + bb) * hw
				d, xs := dx[o:o+hw], n.x[o:o+hw]
				ga := n.Gamma.Data[c]
				for i, v := range d {
					q := (xs[i] - mean) * rstd
					d[i] = rstd * (ga*v - m1 - q*m2)
				}
			}
		}
	})
	if accum {
		for bb := 0; bb < b; bb++ {
			for c := 0; c < n.C; c++ {
				n.Gamma.Grad[c] += float32(n.part[2*(bb*n.C+c)])
				n.Beta.Grad[c] += float32(n.part[2*(bb*n.C+c)+1])
			}
		}
	}
	if !needDx {
		return nil
	}
	return dx
}

// shiftedSums returns Σ (v−k) and Σ (v−k)² over xs, in four interleaved
// partial sums (independent dependency chains), added in a fixed order.
func shiftedSums(xs []float32, k float32) (s, q float32) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float32
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		v := xs[i : i+4 : i+4]
		d0, d1, d2, d3 := v[0]-k, v[1]-k, v[2]-k, v[3]-k
		s0, s1, s2, s3 = s0+d0, s1+d1, s2+d2, s3+d3
		q0, q1, q2, q3 = q0+d0*d0, q1+d1*d1, q2+d2*d2, q3+d3*d3
	}
	for ; i < len(xs); i++ {
		d := xs[i] - k
		s0 += d
		q0 += d * d
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}

// dotSum returns Σ d·x̂ and Σ d with x̂ = (x−mean)·rstd, in four interleaved
// partial sums added in a fixed order.
func dotSum(d, xs []float32, mean, rstd float32) (a, s float32) {
	var a0, a1, a2, a3, s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(d); i += 4 {
		dv, xv := d[i:i+4:i+4], xs[i:i+4:i+4]
		a0 += dv[0] * ((xv[0] - mean) * rstd)
		a1 += dv[1] * ((xv[1] - mean) * rstd)
		a2 += dv[2] * ((xv[2] - mean) * rstd)
		a3 += dv[3] * ((xv[3] - mean) * rstd)
		s0, s1, s2, s3 = s0+dv[0], s1+dv[1], s2+dv[2], s3+dv[3]
	}
	for ; i < len(d); i++ {
		a0 += d[i] * ((xs[i] - mean) * rstd)
		s0 += d[i]
	}
	return (a0 + a1) + (a2 + a3), (s0 + s1) + (s2 + s3)
}

func growF64(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}
