package objective

import "fmt"

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

	in, tt []float32
}

// Dim returns the data dimension.
func (m *ScoreModel) Dim() int { return m.D }

// Score evaluates the network at time t and maps its output to the score.
func (m *ScoreModel) Score(t float64, x, v, sx, sv []float64) {
	c, d := m.Config, m.D
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
