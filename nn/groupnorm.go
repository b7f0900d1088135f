package nn

import "math"

// GroupNorm normalises each (sample, group of C/G channels) over its
// channels and positions, then applies a per-channel affine map
// γ·x̂ + β (as torch.nn.GroupNorm, ε = 1e-5) and, if SiLU is set, a fused
// SiLU. It works on channel-major (C×B×H×W) maps.
type GroupNorm struct {
	C, G  int
	SiLU  bool
	Gamma *Param
	Beta  *Param

	b, hw      int
	xhat, z, s []float32
	y, dx      []float32
	rstd       []float32 // per (b, g)
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

func (n *GroupNorm) outC() int        { return n.C }
func (n *GroupNorm) params() []*Param { return []*Param{n.Gamma, n.Beta} }

func (n *GroupNorm) forward(x []float32, b, h, w int, _ bool) ([]float32, int, int) {
	n.b, n.hw = b, h*w
	hw, cg := n.hw, n.C/n.G
	size := n.C * b * hw
	n.xhat = grow(n.xhat, size)
	n.y = grow(n.y, size)
	if n.SiLU {
		n.z = grow(n.z, size)
		n.s = grow(n.s, size)
	}
	n.rstd = grow(n.rstd, b*n.G)
	pfor(b*n.G, max(1, elemGrain/(cg*hw)), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			bb, g := t/n.G, t%n.G
			var sum float64
			for c := g * cg; c < (g+1)*cg; c++ {
				var s float32
				for _, v := range x[(c*b+bb)*hw : (c*b+bb+1)*hw] {
					s += v
				}
				sum += float64(s)
			}
			cnt := float64(cg * hw)
			mean := float32(sum / cnt)
			var ss float64
			for c := g * cg; c < (g+1)*cg; c++ {
				var s float32
				for _, v := range x[(c*b+bb)*hw : (c*b+bb+1)*hw] {
					d := v - mean
					s += d * d
				}
				ss += float64(s)
			}
			rstd := float32(1 / math.Sqrt(ss/cnt+1e-5))
			n.rstd[t] = rstd
			for c := g * cg; c < (g+1)*cg; c++ {
				o := (c*b + bb) * hw
				xs, xh, ys := x[o:o+hw], n.xhat[o:o+hw], n.y[o:o+hw]
				ga, be := n.Gamma.Data[c], n.Beta.Data[c]
				if !n.SiLU {
					for i, v := range xs {
						q := (v - mean) * rstd
						xh[i], ys[i] = q, ga*q+be
					}
					continue
				}
				zs, ss := n.z[o:o+hw], n.s[o:o+hw]
				for i, v := range xs {
					q := (v - mean) * rstd
					z := ga*q + be
					sg := sigmoid32(z)
					xh[i], zs[i], ss[i], ys[i] = q, z, sg, z*sg
				}
			}
		}
	})
	return n.y, h, w
}

func (n *GroupNorm) backward(dy []float32, needDx, accum bool) []float32 {
	b, hw, cg := n.b, n.hw, n.C/n.G
	n.part = growF64(n.part, 2*b*n.C)
	n.dx = grow(n.dx, n.C*b*hw)
	dx := n.dx
	pfor(b*n.G, max(1, elemGrain/(cg*hw)), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			bb, g := t/n.G, t%n.G
			// dz is written into dx first, then turned into the input gradient.
			var sdx, sdxx float64 // Σ dx̂, Σ dx̂·x̂ over the group
			for c := g * cg; c < (g+1)*cg; c++ {
				o := (c*b + bb) * hw
				d, xh := dx[o:o+hw], n.xhat[o:o+hw]
				ys := dy[o : o+hw]
				if n.SiLU {
					zs, ss := n.z[o:o+hw], n.s[o:o+hw]
					for i := range d {
						s := ss[i]
						d[i] = ys[i] * s * (1 + zs[i]*(1-s))
					}
				} else {
					copy(d, ys)
				}
				var a, s float32
				for i, v := range d {
					a += v * xh[i]
					s += v
				}
				n.part[2*(bb*n.C+c)] = float64(a)
				n.part[2*(bb*n.C+c)+1] = float64(s)
				ga := float64(n.Gamma.Data[c])
				sdx += ga * float64(s)
				sdxx += ga * float64(a)
			}
			if !needDx {
				continue
			}
			cnt := float64(cg * hw)
			m1, m2 := float32(sdx/cnt), float32(sdxx/cnt)
			rstd := n.rstd[t]
			for c := g * cg; c < (g+1)*cg; c++ {
				o := (c*b + bb) * hw
				d, xh := dx[o:o+hw], n.xhat[o:o+hw]
				ga := n.Gamma.Data[c]
				for i, v := range d {
					d[i] = rstd * (ga*v - m1 - xh[i]*m2)
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

func growF64(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}
