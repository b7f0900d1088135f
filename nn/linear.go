package nn

import (
	"math"
	"math/rand/v2"
)

// Linear is a fully connected layer y = x Wᵀ + b on batch-major rows, with an
// optional fused SiLU activation y = silu(x Wᵀ + b). W is Out×In (PyTorch's
// layout).
type Linear struct {
	In, Out int
	SiLU    bool
	W, B    *Param

	batch   int
	x       []float32 // cached input (not owned)
	z, s, y []float32 // pre-activation, sigmoid(z), output
	dz, dx  []float32
}

// NewLinear returns a Linear layer initialised like torch.nn.Linear.
func NewLinear(name string, in, out int, silu bool, r *rand.Rand) *Linear {
	l := &Linear{In: in, Out: out, SiLU: silu,
		W: newParam(name+".weight", out, in), B: newParam(name+".bias", out)}
	bound := 1 / math.Sqrt(float64(in))
	uniformInit(r, l.W.Data, bound)
	uniformInit(r, l.B.Data, bound)
	return l
}

// Params returns the weight and bias.
func (l *Linear) Params() []*Param { return []*Param{l.W, l.B} }

// Forward computes the layer on batch rows of x (batch×In) and returns the
// batch×Out output, owned by the layer.
func (l *Linear) Forward(x []float32, batch int) []float32 {
	l.batch, l.x = batch, x
	n := batch * l.Out
	l.z = grow(l.z, n)
	// W (Out×In) is the transposed B operand: gemm packs it straight from
	// its rows, so no copy of Wᵀ is needed.
	sgemm(false, true, batch, l.Out, l.In, 1, x, l.In, l.W.Data, l.In, 0, l.z, l.Out)
	b := l.B.Data
	out := l.Out
	if !l.SiLU {
		for i := 0; i < batch; i++ {
			row := l.z[i*out : i*out+out]
			for j := range row {
				row[j] += b[j]
			}
		}
		return l.z
	}
	l.s = grow(l.s, n)
	l.y = grow(l.y, n)
	pfor(batch, max(1, elemGrain/out), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			z := l.z[i*out : i*out+out]
			s := l.s[i*out : i*out+out]
			y := l.y[i*out : i*out+out]
			for j := range z {
				z[j] += b[j]
			}
			sigmoidSlice(s, z)
			for j, v := range z {
				y[j] = v * s[j]
			}
		}
	})
	return l.y
}

// Backward takes dL/dy for the last Forward, accumulates weight and bias
// gradients when accum is set and returns dL/dx (owned by the layer) when
// needDx is set, else nil.
func (l *Linear) Backward(dy []float32, needDx, accum bool) []float32 {
	batch, out := l.batch, l.Out
	dz := dy
	if l.SiLU {
		l.dz = grow(l.dz, batch*out)
		dz = l.dz
	}
	if l.SiLU || accum {
		// One pass per column block: the SiLU chain rule and the bias
		// gradient (column sums of dz), split over columns so that workers
		// own disjoint parts of db.
		db := l.B.Grad
		pfor(out, max(8, elemGrain/max(batch, 1)), func(lo, hi int) {
			for i := 0; i < batch; i++ {
				o := i * out
				row := dz[o+lo : o+hi]
				if l.SiLU {
					siluGrad(row, dy[o+lo:o+hi], l.z[o+lo:o+hi], l.s[o+lo:o+hi])
				}
				if accum {
					d := db[lo:hi]
					for j, v := range row {
						d[j] += v
					}
				}
			}
		})
	}
	if accum {
		sgemm(true, false, out, l.In, batch, 1, dz, out, l.x, l.In, 1, l.W.Grad, l.In)
	}
	if !needDx {
		return nil
	}
	l.dx = grow(l.dx, batch*l.In)
	sgemm(false, false, batch, l.In, out, 1, dz, out, l.W.Data, l.In, 0, l.dx, l.In)
	return l.dx
}
