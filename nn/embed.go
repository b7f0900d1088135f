package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Time-embedding kinds accepted by TimeEmbedding.
const (
	EmbedSinusoidal = "sinusoidal" // Transformer/DDPM positional embedding of Scale·τ
	EmbedFourier    = "fourier"    // Gaussian random Fourier features of τ
)

// TimeEmbedding maps one time per row to a Dim-vector (Dim even). The
// embedded variable is τ = log t when LogTime is set (t clamped to ≥ 1e-12)
// and τ = t otherwise.
//
// Sinusoidal: e_i = sin(Scale·τ·f_i), e_{i+h} = cos(Scale·τ·f_i) with
// f_i = 10000^(−i/h), h = Dim/2. Fourier: e_i = sin(2π τ w_i),
// e_{i+h} = cos(2π τ w_i) with frozen w_i ~ N(0, Scale²).
type TimeEmbedding struct {
	Dim     int
	Kind    string
	LogTime bool
	Scale   float64
	W       *Param // Fourier frequencies (frozen); nil for sinusoidal

	freq []float64
	out  []float32
}

// NewTimeEmbedding returns a time embedding; r draws the Fourier frequencies.
func NewTimeEmbedding(name, kind string, dim int, logTime bool, scale float64, r *rand.Rand) (*TimeEmbedding, error) {
	if dim < 2 || dim%2 != 0 {
		return nil, fmt.Errorf("nn: time embedding dimension %d must be even and ≥ 2", dim)
	}
	e := &TimeEmbedding{Dim: dim, Kind: kind, LogTime: logTime, Scale: scale}
	h := dim / 2
	e.freq = make([]float64, h)
	switch kind {
	case EmbedSinusoidal:
		for i := range e.freq {
			e.freq[i] = scale * math.Exp(-math.Log(10000)*float64(i)/float64(h))
		}
	case EmbedFourier:
		e.W = newParam(name+".W", h)
		e.W.Frozen = true
		for i := range e.W.Data {
			e.W.Data[i] = float32(r.NormFloat64() * scale)
		}
		e.syncFreq()
	default:
		return nil, fmt.Errorf("nn: unknown time embedding %q (want %q or %q)", kind, EmbedSinusoidal, EmbedFourier)
	}
	return e, nil
}

// syncFreq recomputes the frequencies from W (after loading weights).
func (e *TimeEmbedding) syncFreq() {
	if e.W != nil {
		for i, w := range e.W.Data {
			e.freq[i] = 2 * math.Pi * float64(w)
		}
	}
}

// Params returns the frozen Fourier frequencies, or nothing.
func (e *TimeEmbedding) Params() []*Param {
	if e.W == nil {
		return nil
	}
	return []*Param{e.W}
}

// Forward writes the batch×Dim embedding of t into a buffer owned by e.
func (e *TimeEmbedding) Forward(t []float32, batch int) []float32 {
	e.syncFreq()
	d, h := e.Dim, e.Dim/2
	e.out = grow(e.out, batch*d)
	pfor(batch, max(1, 4096/d), func(lo, hi int) {
		for b := lo; b < hi; b++ {
			if b > lo && math.Float32bits(t[b]) == math.Float32bits(t[b-1]) {
				// A sampler's batch shares one time: the same bits give
				// the same row, so copy it instead of recomputing.
				copy(e.out[b*d:b*d+d], e.out[(b-1)*d:b*d])
				continue
			}
			tau := float64(t[b])
			if e.LogTime {
				tau = math.Log(max(tau, 1e-12))
			}
			row := e.out[b*d : b*d+d]
			for i, f := range e.freq {
				s, c := math.Sincos(tau * f)
				row[i], row[i+h] = float32(s), float32(c)
			}
		}
	})
	return e.out
}
