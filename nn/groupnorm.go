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
				s, q := gnStats(x[(c*b+bb)*hw:(c*b+bb+1)*hw], k)
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
				gnAffine(ys, xs, a, e)
				if n.SiLU {
					ss := n.s[o : o+hw]
					sigmoidSlice(ss, ys)
					mulInPlace(ys, ss)
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
				ga := n.Gamma.Data[c]
				// z = a·x + e as in the forward pass.
				a := ga * rstd
				k := [4]float32{a, n.Beta.Data[c] - a*mean, mean, rstd}
				var ss []float32
				if n.SiLU {
					ss = n.s[o : o+hw]
				}
				sa, sd := gnBack(dx[o:o+hw], dy[o:o+hw], n.x[o:o+hw], ss, &k, n.SiLU)
				n.part[2*(bb*n.C+c)] = float64(sa)
				n.part[2*(bb*n.C+c)+1] = float64(sd)
				sdx += float64(ga) * float64(sd)
				sdxx += float64(ga) * float64(sa)
			}
			if !needDx {
				continue
			}
			cnt := float64(cg * hw)
			m1, m2 := float32(sdx/cnt), float32(sdxx/cnt)
			for c := g * cg; c < (g+1)*cg; c++ {
				o := (c*b + bb) * hw
				k := [8]float32{mean, rstd, n.Gamma.Data[c], m1, m2}
				gnDx(dx[o:o+hw], n.x[o:o+hw], &k)
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
