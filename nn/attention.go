package nn

import (
	"math"
	"math/rand/v2"
)

// Attention is single-head self-attention over the spatial positions of a
// channel-major map, with a residual connection:
//
//	h = GroupNorm(x); [q; k; v] = W_qkv h (1×1 conv C→3C)
//	A_b = softmax(q_bᵀ k_b / √C) (HW×HW per sample, rows sum to 1)
//	o_b = v_b A_bᵀ;  y = x + W_o o (1×1 conv C→C)
type Attention struct {
	C    int
	Norm *GroupNorm
	QKV  *Conv2d
	Proj *Conv2d

	b, hw int
	a     []float32 // B×HW×HW attention weights
	o, do []float32 // C×B·HW
	dqkv  []float32
	da    []float32 // B×HW×HW scratch
	y, dx []float32
}

// NewAttention returns an attention block on c channels with GroupNorm groups g.
func NewAttention(name string, c, g int, r *rand.Rand, scratch *[]float32) *Attention {
	return &Attention{C: c,
		Norm: NewGroupNorm(name+".norm", c, g, false),
		QKV:  NewConv2d(name+".qkv", c, 3*c, 1, 1, 0, r, scratch),
		Proj: NewConv2d(name+".proj", c, c, 1, 1, 0, r, scratch)}
}

// OutChannels implements Layer.
func (a *Attention) OutChannels() int { return a.C }

// Params implements Layer.
func (a *Attention) Params() []*Param {
	return append(append(a.Norm.Params(), a.QKV.Params()...), a.Proj.Params()...)
}

// Forward implements Layer.
func (a *Attention) Forward(x []float32, b, h, w int, train bool) ([]float32, int, int) {
	a.b, a.hw = b, h*w
	hw, c, n := a.hw, a.C, b*h*w
	hn, _, _ := a.Norm.Forward(x, b, h, w, train)
	qkv, _, _ := a.QKV.Forward(hn, b, h, w, train)
	q, k, v := qkv[:c*n], qkv[c*n:2*c*n], qkv[2*c*n:]
	a.a = grow(a.a, b*hw*hw)
	a.o = grow(a.o, c*n)
	scale := float32(1 / math.Sqrt(float64(c)))
	pfor(b, 1, func(lo, hi int) { // samples side by side, serial products
		for bb := lo; bb < hi; bb++ {
			s := a.a[bb*hw*hw : (bb+1)*hw*hw]
			sgemmSerial(true, false, hw, hw, c, scale, q[bb*hw:], n, k[bb*hw:], n, 0, s, hw)
			for i := 0; i < hw; i++ {
				row := s[i*hw : i*hw+hw]
				m := row[0]
				for _, e := range row {
					m = max(m, e)
				}
				var sum float32
				for j, e := range row {
					ex := exp32(e - m)
					row[j] = ex
					sum += ex
				}
				inv := 1 / sum
				for j := range row {
					row[j] *= inv
				}
			}
			sgemmSerial(false, true, c, hw, hw, 1, v[bb*hw:], n, s, hw, 0, a.o[bb*hw:], n)
		}
	})
	p, _, _ := a.Proj.Forward(a.o, b, h, w, train)
	a.y = grow(a.y, c*n)
	for i, e := range p {
		a.y[i] = x[i] + e
	}
	return a.y, h, w
}

// Backward implements Layer.
func (a *Attention) Backward(dy []float32, needDx, accum bool) []float32 {
	b, hw, c := a.b, a.hw, a.C
	n := b * hw
	do := a.Proj.Backward(dy, true, accum)
	qkv := a.QKV.y
	q, k, v := qkv[:c*n], qkv[c*n:2*c*n], qkv[2*c*n:]
	a.dqkv = grow(a.dqkv, 3*c*n)
	dq, dk, dv := a.dqkv[:c*n], a.dqkv[c*n:2*c*n], a.dqkv[2*c*n:]
	a.da = grow(a.da, b*hw*hw)
	scale := float32(1 / math.Sqrt(float64(c)))
	pfor(b, 1, func(lo, hi int) { // samples side by side, serial products
		for bb := lo; bb < hi; bb++ {
			A := a.a[bb*hw*hw : (bb+1)*hw*hw]
			dA := a.da[bb*hw*hw : (bb+1)*hw*hw]
			o := bb * hw
			// dV = dO A; dA = dOᵀ V.
			sgemmSerial(false, false, c, hw, hw, 1, do[o:], n, A, hw, 0, dv[o:], n)
			sgemmSerial(true, false, hw, hw, c, 1, do[o:], n, v[o:], n, 0, dA, hw)
			// Softmax backward: dS_ij = A_ij (dA_ij − Σ_k dA_ik A_ik).
			for i := 0; i < hw; i++ {
				ar, dr := A[i*hw:i*hw+hw], dA[i*hw:i*hw+hw]
				var s float32
				for j := range ar {
					s += ar[j] * dr[j]
				}
				for j := range ar {
					dr[j] = ar[j] * (dr[j] - s)
				}
			}
			// S = scale·QᵀK: dQ = scale·K dSᵀ, dK = scale·Q dS.
			sgemmSerial(false, true, c, hw, hw, scale, k[o:], n, dA, hw, 0, dq[o:], n)
			sgemmSerial(false, false, c, hw, hw, scale, q[o:], n, dA, hw, 0, dk[o:], n)
		}
	})
	dh := a.QKV.Backward(a.dqkv, true, accum)
	dxn := a.Norm.Backward(dh, needDx, accum)
	if !needDx {
		return nil
	}
	a.dx = grow(a.dx, c*n)
	for i := range a.dx {
		a.dx[i] = dy[i] + dxn[i]
	}
	return a.dx
}
