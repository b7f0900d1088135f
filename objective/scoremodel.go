package objective

import (
	"fmt"

	"phasespace/sde"
)

// Network is what ScoreModel needs of a trained network: a forward pass on a
// batch (input batch×InDim, one time per row) returning batch×OutDim.
type Network interface {
	Forward(input, t []float32, batch int, train bool) []float32
}

// ScoreModel turns a trained network into a score.Model with the objective's
// parameterisation. It is not safe for concurrent use.
type ScoreModel struct {
	Config *Config
	Net    Network
	D      int

	in, tt, cot []float32
}

// Dim returns the data dimension.
func (m *ScoreModel) Dim() int { return m.D }

// Score evaluates the network at time t and maps its output to the score.
// It panics if the Config is invalid (Validate's error), as score.Model
// has no error return: check the Config with Validate when building m.
func (m *ScoreModel) Score(t float64, x, v, sx, sv []float64) {
	c, d := m.Config, m.D
	if err := c.Validate(); err != nil {
		panic(err.Error())
	}
	n := len(x) / d
	inDim, outDim := c.InDim(d), c.OutDim(d)
	m.in = resize(m.in, n*inDim)
	m.tt = resize(m.tt, n)
	for i := 0; i < n; i++ {
		m.tt[i] = float32(t)
		for j := 0; j < d; j++ {
			m.in[i*inDim+j] = float32(x[i*d+j])
			if inDim == 2*d {
				m.in[i*inDim+d+j] = float32(v[i*d+j])
			}
		}
	}
	out := m.Net.Forward(m.in, m.tt, n, false)
	pa, err := c.paramAt(t)
	if err != nil {
		panic(fmt.Sprintf("objective: score at t = %v: %v", t, err))
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			var ox, ov float64
			switch {
			case outDim == 2*d:
				ox, ov = float64(out[i*outDim+j]), float64(out[i*outDim+d+j])
			case inDim == d:
				ox = float64(out[i*outDim+j])
			default:
				ov = float64(out[i*outDim+j])
			}
			var vv float64
			if v != nil {
				vv = v[i*d+j]
			}
			a, b := pa.scoreOf(x[i*d+j], vv, ox, ov)
			sx[i*d+j] = a
			if sv != nil {
				sv[i*d+j] = b
			}
		}
	}
}

// VJPNetwork is a Network that can also form input vector-Jacobian products.
type VJPNetwork interface {
	Network
	// InputVJP evaluates the network (inference mode) and returns
	// gᵀ ∂output/∂input, batch×InDim.
	InputVJP(input, t []float32, batch int, g []float32) []float32
}

// ScoreVJP implements score.VJPModel when the network is a VJPNetwork: it
// writes the score and wᵀ ∂s/∂u. For s = P·o(u) + c(u), wᵀ∂s/∂u =
// (Pᵀw)ᵀ ∂o/∂u + wᵀ∂c/∂u.
func (m *ScoreModel) ScoreVJP(t float64, x, v, wx, wv, sx, sv, gx, gv []float64) {
	net, ok := m.Net.(VJPNetwork)
	if !ok {
		panic("objective: the network has no input vector-Jacobian product")
	}
	m.Score(t, x, v, sx, sv) // also fills m.in and m.tt
	c, d := m.Config, m.D
	n := len(x) / d
	inDim, outDim := c.InDim(d), c.OutDim(d)
	pa, err := c.paramAt(t)
	if err != nil {
		panic(fmt.Sprintf("objective: score at t = %v: %v", t, err))
	}
	m.cot = resize(m.cot, n*outDim)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			var a, b float64 // wx, wv
			a = wx[i*d+j]
			if wv != nil {
				b = wv[i*d+j]
			}
			var ox, ov float64 // Pᵀw in output space
			switch {
			case pa.full:
				// P = −R⁻ᵀ, Pᵀw = −R⁻¹w.
				ox, ov = pa.rinv.Apply(a, b)
				ox, ov = -ox, -ov
			case pa.kind == sde.VP:
				ox = -a * pa.invStd
			case pa.kind == sde.CLD:
				ov = -pa.ell * b
			case pa.kind == sde.PSLD:
				if pa.both {
					ox = -pa.li11 * a
					ov = -(pa.li12*a + pa.li22*b)
				} else {
					ov = -pa.li22 * b
				}
			default:
				panic(unknownKind(pa.kind))
			}
			switch {
			case outDim == 2*d:
				m.cot[i*outDim+j], m.cot[i*outDim+d+j] = float32(ox), float32(ov)
			case inDim == d:
				m.cot[i*outDim+j] = float32(ox)
			default:
				m.cot[i*outDim+j] = float32(ov)
			}
		}
	}
	g := net.InputVJP(m.in, m.tt, n, m.cot)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			gx[i*d+j] = float64(g[i*inDim+j])
			if inDim == 2*d {
				gv[i*d+j] = float64(g[i*inDim+d+j])
				if pa.kind == sde.CLD {
					gv[i*d+j] -= pa.mix * wv[i*d+j]
				}
			}
		}
	}
}
