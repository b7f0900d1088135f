package nn

import (
	"math"
	"math/rand/v2"
	"runtime"

	"phasespace/internal/parallel"
)

// Conv2d is a K×K convolution with stride and zero padding on channel-major
// (C×B×H×W) maps, computed as im2col + GEMM: y (Cout × B·OH·OW) =
// W (Cout × Cin·K·K) · col. The batch is cut into chunks whose im2col
// buffer stays in cache (about colTarget floats), so the column matrix is
// never materialised for the whole batch; the backward pass recomputes it.
// The goroutines take whole chunks: each writes a chunk's columns and
// multiplies them on the same core (serial GEMMs), so the buffer never
// crosses caches and there is one hand-off per pass, not two per chunk.
// The weight gradient is summed per chunk and then over chunks in order,
// so results do not depend on the number of goroutines. W is
// Cout×Cin×K×K (PyTorch's layout). 1×1 convolutions with stride 1 use the
// input directly.
type Conv2d struct {
	Cin, Cout, K, Stride, Pad int
	W, B                      *Param

	b, h, w, oh, ow int
	x               []float32 // cached input (not owned)
	y, dx           []float32
	wt              []float32  // flipped, transposed weights for backward
	dw              []float32  // per-chunk weight gradients, transposed (kk×Cout)
	col             *[]float32 // im2col scratch shared between the layers of a model
}

// colTarget is the im2col chunk size in floats (2 MiB).
var colTarget = 1 << 19

// NewConv2d returns a convolution initialised like torch.nn.Conv2d. Layers
// of one model may share scratch (nil allocates a private one).
func NewConv2d(name string, cin, cout, k, stride, pad int, r *rand.Rand, scratch *[]float32) *Conv2d {
	c := &Conv2d{Cin: cin, Cout: cout, K: k, Stride: stride, Pad: pad,
		W: newParam(name+".weight", cout, cin, k, k), B: newParam(name+".bias", cout), col: scratch}
	if c.col == nil {
		c.col = new([]float32)
	}
	bound := 1 / math.Sqrt(float64(cin*k*k))
	uniformInit(r, c.W.Data, bound)
	uniformInit(r, c.B.Data, bound)
	return c
}

// OutChannels implements Layer.
func (c *Conv2d) OutChannels() int { return c.Cout }

// Params implements Layer.
func (c *Conv2d) Params() []*Param  { return []*Param{c.W, c.B} }
func (c *Conv2d) direct() bool      { return c.K == 1 && c.Stride == 1 && c.Pad == 0 }
func (c *Conv2d) outSize(n int) int { return (n+2*c.Pad-c.K)/c.Stride + 1 }

// same reports a stride-1 convolution whose output has the input's size.
func (c *Conv2d) same() bool { return c.Stride == 1 && 2*c.Pad == c.K-1 && c.K > 1 }

// chunk returns the number of samples per im2col chunk for rows of kk: as
// many as fit colTarget, evened out over the chunks that takes (64 samples
// at 9 per chunk take 8 chunks: 8 of 8, not 7 of 9 and one of 1, which
// would leave one of two cores a third more work). It depends on the shapes
// only, never on the goroutine count, so results do not either.
func (c *Conv2d) chunk(kk int) int {
	nbc := max(1, min(c.b, colTarget/(kk*c.oh*c.ow)))
	n := (c.b + nbc - 1) / nbc
	return (c.b + n - 1) / n
}

// numChunks is the number of chunks of nbc samples in the batch.
func (c *Conv2d) numChunks(nbc int) int { return (c.b + nbc - 1) / nbc }

// chunks runs body(ch, col, b0, nb) for the batch cut into chunks of nbc
// samples, whole chunks per goroutine, each goroutine with its own part of
// the shared scratch (per floats) as col.
func (c *Conv2d) chunks(nbc, per int, body func(ch int, col []float32, b0, nb int)) {
	n := c.numChunks(nbc)
	nw := min(runtime.GOMAXPROCS(0), n)
	*c.col = grow(*c.col, nw*per)
	parallel.Workers(n, nw, func(wk, lo, hi int) {
		col := (*c.col)[wk*per : (wk+1)*per]
		for ch := lo; ch < hi; ch++ {
			b0 := ch * nbc
			body(ch, col, b0, min(nbc, c.b-b0))
		}
	})
}

// Forward implements Layer.
func (c *Conv2d) Forward(x []float32, b, h, w int, _ bool) ([]float32, int, int) {
	c.product(x, b, h, w)
	n := b * c.oh * c.ow
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

// product is Forward without the bias: c.y = W·col, for a caller that adds
// the bias in its own pass over the output (ResBlock adds it with the time
// embedding or the skip connection, in the order Forward and the caller's
// separate pass would: (y + B[o]) first, so the results are the same).
func (c *Conv2d) product(x []float32, b, h, w int) {
	c.x, c.b, c.h, c.w = x, b, h, w
	c.oh, c.ow = c.outSize(h), c.outSize(w)
	ohw := c.oh * c.ow
	n := b * ohw
	kk := c.Cin * c.K * c.K
	c.y = grow(c.y, c.Cout*n)
	if c.direct() {
		sgemm(false, false, c.Cout, n, kk, 1, c.W.Data, kk, x, n, 0, c.y, n)
	} else {
		nbc := c.chunk(kk)
		c.chunks(nbc, kk*nbc*ohw, func(_ int, col []float32, b0, nb int) {
			col = col[:kk*nb*ohw]
			c.im2col(x, col, b0, nb)
			sgemmSerial(false, false, c.Cout, nb*ohw, kk, 1, c.W.Data, kk, col, nb*ohw, 0, c.y[b0*ohw:], n)
		})
	}
}

// im2col writes, for samples b0..b0+nb−1 of the cin×b×h×w input x,
// col[(ci·K+ky)·K+kx][(bb−b0)·OH·OW + oy·OW + ox] = x[ci][bb][iy][ix]
// (zero outside the image), on the calling goroutine.
func (c *Conv2d) im2col(x, col []float32, b0, nb int) {
	k, s, p := c.K, c.Stride, c.Pad
	h, w, oh, ow, bt := c.h, c.w, c.oh, c.ow, c.b
	if c.same() {
		shiftPlanes(x, col, c.Cin, bt, b0, nb, h, w, k, p)
		return
	}
	nc := nb * oh * ow
	for r := 0; r < c.Cin*k*k; r++ {
		ci, ky, kx := r/(k*k), (r/k)%k, r%k
		dst := col[r*nc : r*nc+nc]
		for j := 0; j < nb; j++ {
			src := x[(ci*bt+b0+j)*h*w:]
			d := dst[j*oh*ow:]
			for oy := 0; oy < oh; oy++ {
				iy := oy*s - p + ky
				drow := d[oy*ow : oy*ow+ow]
				if iy < 0 || iy >= h {
					clear(drow)
					continue
				}
				srow := src[iy*w : iy*w+w]
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
}

// shiftPlanes is im2col for 'same' stride-1 convolutions: row (ci, ky, kx)
// of col holds planes b0..b0+nb−1 of channel ci (of bt) shifted by
// (ky−pad, kx−pad) with zeros outside. The planes of one channel lie side
// by side in x and in col, so each row is one copy of all nb planes (the
// values that cross from one plane into the next are then zeroed with the
// rows above or below the image), plus a fix-up of the wrapped border
// columns.
func shiftPlanes(x, col []float32, cin, bt, b0, nb, h, w, k, pad int) {
	hw := h * w
	nc := nb * hw
	for r := 0; r < cin*k*k; r++ {
		ci, ky, kx := r/(k*k), (r/k)%k, r%k
		dy, dx := ky-pad, kx-pad
		off := dy*w + dx
		// Within a plane, q in [qlo, qhi) reads q+off of the same plane.
		qlo, qhi := max(0, -off), min(hw, hw-off)
		dst := col[r*nc : r*nc+nc]
		if qhi <= qlo {
			clear(dst)
			continue
		}
		src := x[(ci*bt+b0)*hw : (ci*bt+b0+nb)*hw]
		copy(dst[qlo:(nb-1)*hw+qhi], src[qlo+off:(nb-1)*hw+qhi+off])
		clear(dst[:qlo])
		clear(dst[(nb-1)*hw+qhi:])
		for j := 0; j+1 < nb; j++ { // between planes j and j+1
			clear(dst[j*hw+qhi : (j+1)*hw+qlo])
		}
		// The wrapped border columns, with stores: a clear (memclr call)
		// per image row of one or two values cost more than the copy.
		if dx == 0 {
			continue
		}
		lo, hi := w-dx, w // dx > 0: the last dx columns
		if dx < 0 {
			lo, hi = 0, -dx
		}
		for y := 0; y < nb*h; y++ {
			row := dst[y*w : y*w+w]
			for i := lo; i < hi; i++ {
				row[i] = 0
			}
		}
	}
}

// col2im writes into planes b0..b0+nb−1 of dx the sum of the dcol entries
// that im2col copied from each input position, on the calling goroutine.
func (c *Conv2d) col2im(dcol, dx []float32, b0, nb int) {
	k, s, p := c.K, c.Stride, c.Pad
	h, w, oh, ow, bt := c.h, c.w, c.oh, c.ow, c.b
	nc := nb * oh * ow
	for ci := 0; ci < c.Cin; ci++ {
		clear(dx[(ci*bt+b0)*h*w : (ci*bt+b0+nb)*h*w])
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				r := (ci*k+ky)*k + kx
				src := dcol[r*nc : r*nc+nc]
				for j := 0; j < nb; j++ {
					d := dx[(ci*bt+b0+j)*h*w:]
					sp := src[j*oh*ow:]
					for oy := 0; oy < oh; oy++ {
						iy := oy*s - p + ky
						if iy < 0 || iy >= h {
							continue
						}
						drow := d[iy*w : iy*w+w]
						for ox, v := range sp[oy*ow : oy*ow+ow] {
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
}

// Backward implements Layer.
func (c *Conv2d) Backward(dy []float32, needDx, accum bool) []float32 {
	ohw := c.oh * c.ow
	n := c.b * ohw
	kk := c.Cin * c.K * c.K
	if accum {
		for o := 0; o < c.Cout; o++ {
			var s float32
			for _, v := range dy[o*n : o*n+n] {
				s += v
			}
			c.B.Grad[o] += s
		}
	}
	if needDx {
		c.dx = grow(c.dx, c.Cin*c.b*c.h*c.w)
	}
	if c.direct() {
		if accum {
			sgemm(false, true, c.Cout, kk, n, 1, dy, n, c.x, n, 1, c.W.Grad, kk)
		}
		if !needDx {
			return nil
		}
		sgemm(true, false, kk, n, c.Cout, 1, c.W.Data, kk, dy, n, 0, c.dx, n)
		return c.dx
	}
	if !accum && !needDx {
		return nil
	}
	k := c.K
	ck := c.Cout * k * k
	if needDx && c.same() {
		// dx = conv(dy, flipped Wᵀ): Wt[ci][(co,ky,kx)] = W[co][ci][K−1−ky][K−1−kx].
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
	}
	nbc := c.chunk(max(kk, ck))
	nch := c.numChunks(nbc)
	wsize := c.Cout * kk
	if accum {
		c.dw = grow(c.dw, nch*wsize)
	}
	c.chunks(nbc, max(kk, ck)*nbc*ohw, func(ch int, scratch []float32, b0, nb int) {
		nc := nb * ohw
		if accum {
			col := scratch[:kk*nc]
			c.im2col(c.x, col, b0, nb)
			// The transposed gradient col·dYᵀ (kk×Cout): dW = dY·colᵀ
			// would transpose either col (large) or its result per chunk;
			// the chunks' sum is transposed once below.
			sgemmSerial(false, true, kk, c.Cout, nc, 1, col, nc, dy[b0*ohw:], n, 0, c.dw[ch*wsize:(ch+1)*wsize], c.Cout)
		}
		if !needDx {
			return
		}
		if c.same() {
			col := scratch[:ck*nc]
			shiftPlanes(dy, col, c.Cout, c.b, b0, nb, c.oh, c.ow, k, c.Pad)
			sgemmSerial(false, false, c.Cin, nc, ck, 1, c.wt, ck, col, nc, 0, c.dx[b0*ohw:], n)
			return
		}
		dcol := scratch[:kk*nc]
		sgemmSerial(true, false, kk, nc, c.Cout, 1, c.W.Data, kk, dy[b0*ohw:], n, 0, dcol, nc)
		c.col2im(dcol, c.dx, b0, nb)
	})
	if accum {
		// The chunks' transposed gradients, added in chunk order into the
		// first, then transposed into W.Grad.
		s := c.dw[:wsize]
		pfor(wsize, max(1, elemGrain/nch), func(lo, hi int) {
			g := s[lo:hi]
			for ch := 1; ch < nch; ch++ {
				for i, v := range c.dw[ch*wsize+lo : ch*wsize+hi] {
					g[i] += v
				}
			}
		})
		pfor(c.Cout, max(1, elemGrain/kk), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				row := c.W.Grad[o*kk : o*kk+kk]
				for r := range row {
					row[r] += s[r*c.Cout+o]
				}
			}
		})
	}
	if !needDx {
		return nil
	}
	return c.dx
}

// Upsample2x is nearest-neighbour up-sampling by 2 on channel-major maps.
type Upsample2x struct {
	c, b, h, w int
	y, dx      []float32
}

// OutChannels implements Layer.
func (u *Upsample2x) OutChannels() int { return u.c }

// Params implements Layer.
func (u *Upsample2x) Params() []*Param { return nil }

// Forward implements Layer.
func (u *Upsample2x) Forward(x []float32, b, h, w int, _ bool) ([]float32, int, int) {
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

// Backward implements Layer.
func (u *Upsample2x) Backward(dy []float32, needDx, _ bool) []float32 {
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
