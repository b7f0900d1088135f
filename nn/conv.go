package nn

import (
	"math"
	"math/rand/v2"
)

// Conv2d is a K×K convolution with stride and zero padding on channel-major
// (C×B×H×W) maps, computed as im2col + one GEMM over the whole batch:
// y (Cout × B·OH·OW) = W (Cout × Cin·K·K) · col. W is Cout×Cin×K×K
// (PyTorch's layout). 1×1 convolutions with stride 1 skip im2col.
type Conv2d struct {
	Cin, Cout, K, Stride, Pad int
	W, B                      *Param

	b, h, w, oh, ow int
	x               []float32 // cached input (not owned)
	col, y, dx      []float32
	wt              []float32  // flipped, transposed weights for backward
	dcol            *[]float32 // scratch shared between the layers of a model
}

// NewConv2d returns a convolution initialised like torch.nn.Conv2d.
func NewConv2d(name string, cin, cout, k, stride, pad int, r *rand.Rand, scratch *[]float32) *Conv2d {
	c := &Conv2d{Cin: cin, Cout: cout, K: k, Stride: stride, Pad: pad,
		W: newParam(name+".weight", cout, cin, k, k), B: newParam(name+".bias", cout), dcol: scratch}
	if c.dcol == nil {
		c.dcol = new([]float32)
	}
	bound := 1 / math.Sqrt(float64(cin*k*k))
	uniformInit(r, c.W.Data, bound)
	uniformInit(r, c.B.Data, bound)
	return c
}

func (c *Conv2d) outC() int        { return c.Cout }
func (c *Conv2d) params() []*Param { return []*Param{c.W, c.B} }
func (c *Conv2d) direct() bool     { return c.K == 1 && c.Stride == 1 && c.Pad == 0 }

// same reports a stride-1 convolution whose output has the input's size.
func (c *Conv2d) same() bool { return c.Stride == 1 && 2*c.Pad == c.K-1 && c.K > 1 }

// shiftPlanes is im2col for 'same' stride-1 convolutions on cin×nb planes
// of h×w: row (ci, ky, kx) of col is each plane shifted by
// (ky−pad, kx−pad) with zeros outside, built with one copy per plane and a
// fix-up of the wrapped border columns.
func shiftPlanes(x, col []float32, cin, nb, h, w, k, pad int) {
	hw := h * w
	n := nb * hw
	pfor(cin*k*k, 1, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ci, ky, kx := r/(k*k), (r/k)%k, r%k
			dy, dx := ky-pad, kx-pad
			off := dy*w + dx
			qlo, qhi := max(0, -off), min(hw, hw-off)
			for bb := 0; bb < nb; bb++ {
				src := x[(ci*nb+bb)*hw : (ci*nb+bb+1)*hw]
				dst := col[r*n+bb*hw : r*n+(bb+1)*hw]
				if qhi <= qlo {
					clear(dst)
					continue
				}
				clear(dst[:qlo])
				copy(dst[qlo:qhi], src[qlo+off:qhi+off])
				clear(dst[qhi:])
				if dx > 0 {
					for y := 0; y < h; y++ {
						clear(dst[y*w+w-dx : y*w+w])
					}
				} else if dx < 0 {
					for y := 0; y < h; y++ {
						clear(dst[y*w : y*w-dx])
					}
				}
			}
		}
	})
}
func (c *Conv2d) outSize(n int) int { return (n+2*c.Pad-c.K)/c.Stride + 1 }

func (c *Conv2d) forward(x []float32, b, h, w int, _ bool) ([]float32, int, int) {
	c.x, c.b, c.h, c.w = x, b, h, w
	c.oh, c.ow = c.outSize(h), c.outSize(w)
	n := b * c.oh * c.ow
	kk := c.Cin * c.K * c.K
	col := x
	if !c.direct() {
		c.col = grow(c.col, kk*n)
		c.im2col(x, c.col)
		col = c.col
	}
	c.y = grow(c.y, c.Cout*n)
	sgemm(false, false, c.Cout, n, kk, 1, c.W.Data, kk, col, n, 0, c.y, n)
	pfor(c.Cout, max(1, elemGrain/n), func(lo, hi int) {
		for o := lo; o < hi; o++ {
			bo := c.B.Data[o]
			row := c.y[o*n : o*n+n]
			for i := range row {
				row[i] += bo
			}
		}
	})
	return c.y, c.oh, c.ow
}

// im2col writes col[(ci·K+ky)·K+kx][b·OH·OW + oy·OW + ox] = x[ci][b][iy][ix].
func (c *Conv2d) im2col(x, col []float32) {
	k, s, p := c.K, c.Stride, c.Pad
	h, w, oh, ow, nb := c.h, c.w, c.oh, c.ow, c.b
	n := nb * oh * ow
	if c.same() {
		shiftPlanes(x, col, c.Cin, nb, h, w, k, p)
		return
	}
	pfor(c.Cin*k*k, 1, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			ci, ky, kx := r/(k*k), (r/k)%k, r%k
			dst := col[r*n : r*n+n]
			for bb := 0; bb < nb; bb++ {
				src := x[(ci*nb+bb)*h*w:]
				d := dst[bb*oh*ow:]
				for oy := 0; oy < oh; oy++ {
					iy := oy*s - p + ky
					drow := d[oy*ow : oy*ow+ow]
					if iy < 0 || iy >= h {
						clear(drow)
						continue
					}
					srow := src[iy*w : iy*w+w]
					if s == 1 {
						// ix = ox - p + kx: contiguous run with zero edges.
						off := kx - p
						lo, hi := max(0, -off), min(ow, w-off)
						clear(drow[:max(lo, 0)])
						if hi > lo {
							copy(drow[lo:hi], srow[lo+off:hi+off])
						}
						if hi < ow {
							clear(drow[max(hi, 0):])
						}
						continue
					}
					for ox := range drow {
						ix := ox*s - p + kx
						if ix < 0 || ix >= w {
							drow[ox] = 0
						} else {
							drow[ox] = srow[ix]
						}
					}
				}
			}
		}
	})
}

// col2im accumulates dcol into dx (zeroed here), one input channel per task.
func (c *Conv2d) col2im(dcol, dx []float32) {
	k, s, p := c.K, c.Stride, c.Pad
	h, w, oh, ow, nb := c.h, c.w, c.oh, c.ow, c.b
	n := nb * oh * ow
	pfor(c.Cin, 1, func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			clear(dx[ci*nb*h*w : (ci+1)*nb*h*w])
			for ky := 0; ky < k; ky++ {
				for kx := 0; kx < k; kx++ {
					r := (ci*k+ky)*k + kx
					src := dcol[r*n : r*n+n]
					for bb := 0; bb < nb; bb++ {
						d := dx[(ci*nb+bb)*h*w:]
						sp := src[bb*oh*ow:]
						for oy := 0; oy < oh; oy++ {
							iy := oy*s - p + ky
							if iy < 0 || iy >= h {
								continue
							}
							drow := d[iy*w : iy*w+w]
							srow := sp[oy*ow : oy*ow+ow]
							if s == 1 {
								off := kx - p
								lo, hi := max(0, -off), min(ow, w-off)
								for ox := lo; ox < hi; ox++ {
									drow[ox+off] += srow[ox]
								}
								continue
							}
							for ox, v := range srow {
								ix := ox*s - p + kx
								if ix >= 0 && ix < w {
									drow[ix] += v
								}
							}
						}
					}
				}
			}
		}
	})
}

func (c *Conv2d) backward(dy []float32, needDx, accum bool) []float32 {
	n := c.b * c.oh * c.ow
	kk := c.Cin * c.K * c.K
	col := c.x
	if !c.direct() {
		col = c.col
	}
	if accum {
		sgemm(false, true, c.Cout, kk, n, 1, dy, n, col, n, 1, c.W.Grad, kk)
		for o := 0; o < c.Cout; o++ {
			var s float32
			for _, v := range dy[o*n : o*n+n] {
				s += v
			}
			c.B.Grad[o] += s
		}
	}
	if !needDx {
		return nil
	}
	c.dx = grow(c.dx, c.Cin*c.b*c.h*c.w)
	if c.direct() {
		sgemm(true, false, kk, n, c.Cout, 1, c.W.Data, kk, dy, n, 0, c.dx, n)
		return c.dx
	}
	if c.same() {
		// dx = conv(dy, flipped Wᵀ): im2col of dy, then one GEMM with
		// Wt[ci][(co,ky,kx)] = W[co][ci][K−1−ky][K−1−kx].
		k := c.K
		ck := c.Cout * k * k
		c.wt = grow(c.wt, c.Cin*ck)
		for co := 0; co < c.Cout; co++ {
			for ci := 0; ci < c.Cin; ci++ {
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						c.wt[ci*ck+(co*k+ky)*k+kx] = c.W.Data[((co*c.Cin+ci)*k+k-1-ky)*k+k-1-kx]
					}
				}
			}
		}
		*c.dcol = grow(*c.dcol, ck*n)
		dcol := *c.dcol
		shiftPlanes(dy, dcol, c.Cout, c.b, c.h, c.w, k, c.Pad)
		sgemm(false, false, c.Cin, n, ck, 1, c.wt, ck, dcol, n, 0, c.dx, n)
		return c.dx
	}
	*c.dcol = grow(*c.dcol, kk*n)
	dcol := *c.dcol
	sgemm(true, false, kk, n, c.Cout, 1, c.W.Data, kk, dy, n, 0, dcol, n)
	c.col2im(dcol, c.dx)
	return c.dx
}

// Upsample2x is nearest-neighbour up-sampling by 2 on channel-major maps.
type Upsample2x struct {
	c, b, h, w int
	y, dx      []float32
}

func (u *Upsample2x) outC() int        { return u.c }
func (u *Upsample2x) params() []*Param { return nil }

func (u *Upsample2x) forward(x []float32, b, h, w int, _ bool) ([]float32, int, int) {
	u.b, u.h, u.w = b, h, w
	planes := len(x) / (h * w)
	u.c = planes / b
	u.y = grow(u.y, 4*len(x))
	pfor(planes, max(1, elemGrain/(4*h*w)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			src := x[p*h*w : (p+1)*h*w]
			dst := u.y[4*p*h*w:]
			for i := 0; i < h; i++ {
				r0 := dst[(2*i)*2*w : (2*i+1)*2*w]
				for j := 0; j < w; j++ {
					v := src[i*w+j]
					r0[2*j], r0[2*j+1] = v, v
				}
				copy(dst[(2*i+1)*2*w:(2*i+2)*2*w], r0)
			}
		}
	})
	return u.y, 2 * h, 2 * w
}

func (u *Upsample2x) backward(dy []float32, needDx, _ bool) []float32 {
	if !needDx {
		return nil
	}
	h, w := u.h, u.w
	planes := u.c * u.b
	u.dx = grow(u.dx, planes*h*w)
	pfor(planes, max(1, elemGrain/(4*h*w)), func(lo, hi int) {
		for p := lo; p < hi; p++ {
			src := dy[4*p*h*w:]
			dst := u.dx[p*h*w : (p+1)*h*w]
			for i := 0; i < h; i++ {
				a := src[(2*i)*2*w:]
				b := src[(2*i+1)*2*w:]
				for j := 0; j < w; j++ {
					dst[i*w+j] = a[2*j] + a[2*j+1] + b[2*j] + b[2*j+1]
				}
			}
		}
	})
	return u.dx
}
