package nn

import (
	"math/rand/v2"
)

// ResBlock is the DDPM residual block on channel-major maps:
//
//	h = Conv1(SiLU(GN1(x))) + Temb(SiLU(temb))[channel]
//	h = Conv2(Dropout(SiLU(GN2(h))))
//	y = Skip(x) + h   (Skip = identity, or a 1×1 conv when Cin ≠ Cout)
//
// The caller sets St, the batch×TDim activated time embedding, before
// forward, and collects dSt (accumulated into its own buffer) after backward.
type ResBlock struct {
	Cin, Cout int
	GN1, GN2  *GroupNorm
	Conv1     *Conv2d
	Conv2     *Conv2d
	Temb      *Linear
	Skip      *Conv2d // nil when Cin == Cout
	Drop      *Dropout

	St  []float32 // batch×TDim input of Temb (not owned)
	DSt []float32 // gradient w.r.t. St is added here when non-nil

	b, hw  int
	h1, dh []float32
	y, dx  []float32
}

// NewResBlock builds a residual block; rd draws its dropout masks.
func NewResBlock(name string, cin, cout, tdim, groups int, dropout float64, r, rd *rand.Rand, scratch *[]float32) *ResBlock {
	rb := &ResBlock{Cin: cin, Cout: cout,
		GN1:   NewGroupNorm(name+".norm1", cin, groups, true),
		Conv1: NewConv2d(name+".conv1", cin, cout, 3, 1, 1, r, scratch),
		Temb:  NewLinear(name+".temb", tdim, cout, false, r),
		GN2:   NewGroupNorm(name+".norm2", cout, groups, true),
		Drop:  NewDropout(dropout, rd),
		Conv2: NewConv2d(name+".conv2", cout, cout, 3, 1, 1, r, scratch)}
	if cin != cout {
		rb.Skip = NewConv2d(name+".skip", cin, cout, 1, 1, 0, r, scratch)
	}
	return rb
}

// OutChannels implements Layer.
func (rb *ResBlock) OutChannels() int { return rb.Cout }

// Params implements Layer.
func (rb *ResBlock) Params() []*Param {
	ps := append(rb.GN1.Params(), rb.Conv1.Params()...)
	ps = append(ps, rb.Temb.Params()...)
	ps = append(ps, rb.GN2.Params()...)
	ps = append(ps, rb.Conv2.Params()...)
	if rb.Skip != nil {
		ps = append(ps, rb.Skip.Params()...)
	}
	return ps
}

// Forward implements Layer.
func (rb *ResBlock) Forward(x []float32, b, h, w int, train bool) ([]float32, int, int) {
	rb.b, rb.hw = b, h*w
	hw, co := rb.hw, rb.Cout
	a, _, _ := rb.GN1.Forward(x, b, h, w, train)
	// Each convolution's bias is added in the pass that adds the time
	// embedding or the skip connection (one pass over the output instead of
	// two, the same two roundings in the same order).
	rb.Conv1.product(a, b, h, w)
	c1, b1 := rb.Conv1.y, rb.Conv1.B.Data
	tp := rb.Temb.Forward(rb.St, b) // b×Cout
	rb.h1 = grow(rb.h1, co*b*hw)
	pfor(co*b, max(1, elemGrain/hw), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			c, bb := t/b, t%b
			bo, add := b1[c], tp[bb*co+c]
			src, dst := c1[t*hw:(t+1)*hw], rb.h1[t*hw:(t+1)*hw]
			for i, v := range src {
				dst[i] = (v + bo) + add
			}
		}
	})
	g2, _, _ := rb.GN2.Forward(rb.h1, b, h, w, train)
	rb.Drop.apply(g2, train)
	rb.Conv2.product(g2, b, h, w)
	c2, b2 := rb.Conv2.y, rb.Conv2.B.Data
	skip := x
	if rb.Skip != nil {
		skip, _, _ = rb.Skip.Forward(x, b, h, w, train)
	}
	rb.y = grow(rb.y, co*b*hw)
	pfor(co*b, max(1, elemGrain/hw), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			bo := b2[t/b]
			src, sk, dst := c2[t*hw:(t+1)*hw], skip[t*hw:(t+1)*hw], rb.y[t*hw:(t+1)*hw]
			for i, v := range src {
				dst[i] = sk[i] + (v + bo)
			}
		}
	})
	return rb.y, h, w
}

// Backward implements Layer.
func (rb *ResBlock) Backward(dy []float32, needDx, accum bool) []float32 {
	b, hw, co := rb.b, rb.hw, rb.Cout
	d2 := rb.Conv2.Backward(dy, true, accum)
	rb.Drop.grad(d2)
	dh := rb.GN2.Backward(d2, true, accum)
	if accum || rb.DSt != nil {
		// dTemb[b][c] = Σ_hw dh[c][b][:].
		rb.dh = grow(rb.dh, b*co)
		for c := 0; c < co; c++ {
			for bb := 0; bb < b; bb++ {
				var s float32
				for _, v := range dh[(c*b+bb)*hw : (c*b+bb+1)*hw] {
					s += v
				}
				rb.dh[bb*co+c] = s
			}
		}
		dst := rb.Temb.Backward(rb.dh, rb.DSt != nil, accum)
		if rb.DSt != nil {
			for i, v := range dst {
				rb.DSt[i] += v
			}
		}
	}
	d1 := rb.Conv1.Backward(dh, true, accum)
	dx := rb.GN1.Backward(d1, needDx, accum)
	var ds []float32
	if rb.Skip != nil {
		ds = rb.Skip.Backward(dy, needDx, accum)
	} else {
		ds = dy
	}
	if !needDx {
		return nil
	}
	rb.dx = grow(rb.dx, len(dx))
	pfor(len(dx), elemGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			rb.dx[i] = dx[i] + ds[i]
		}
	})
	return rb.dx
}
