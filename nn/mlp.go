package nn

import (
	"fmt"
	"math"
)

// MLPConfig describes the toy MLP score network: the data input (InDim
// columns) is concatenated with a TimeDim time embedding, followed by Depth
// Linear+SiLU layers of width Hidden and a final Linear to OutDim.
//
// With InputFourier = m > 0 the input u is also mapped to 2m random Fourier
// features sin(2π Bu), cos(2π Bu) (B: m×InDim, frozen, entries
// N(0, InputFourierScale²)), placed between u and the time embedding
// (Tancik et al., 2020), which lets the first layer respond to
// high-frequency structure in u. On checkerboard, 64 features of scale 1
// made the likelihood worse (docs/results.md); the option is off by default.
type MLPConfig struct {
	InDim   int `json:"in_dim"`
	OutDim  int `json:"out_dim"`
	Hidden  int `json:"hidden"`
	Depth   int `json:"depth"`
	TimeDim int `json:"time_dim"`
	// Embedding is EmbedSinusoidal or EmbedFourier; LogTime embeds log t.
	Embedding string `json:"embedding"`
	LogTime   bool   `json:"log_time"`
	// TimeScale multiplies τ for sinusoidal embeddings and is the standard
	// deviation of the Fourier frequencies.
	TimeScale float64 `json:"time_scale"`
	Seed      uint64  `json:"seed"`
	// InputFourier is the number of random frequencies of the input (0:
	// none); InputFourierScale their standard deviation in cycles per unit
	// of the input.
	InputFourier      int     `json:"input_fourier,omitempty"`
	InputFourierScale float64 `json:"input_fourier_scale,omitempty"`
}

// DefaultMLPConfig returns the reference toy configuration: width 256, 4
// hidden layers, 128-d sinusoidal embedding of 1000·t.
func DefaultMLPConfig(inDim, outDim int) MLPConfig {
	return MLPConfig{InDim: inDim, OutDim: outDim, Hidden: 256, Depth: 4, TimeDim: 128,
		Embedding: EmbedSinusoidal, TimeScale: 1000, Seed: 1}
}

// MLP is the toy score network; it implements Model.
type MLP struct {
	cfg    MLPConfig
	fourB  *Param // InputFourier×InDim frequencies (frozen), or nil
	emb    *TimeEmbedding
	layers []*Linear // Depth hidden layers with SiLU, then the output layer
	params []*Param

	batch   int
	h0, dIn []float32
	noAccum bool
}

// NewMLP builds an MLP with PyTorch-default initialisation from cfg.Seed.
func NewMLP(cfg MLPConfig) (*MLP, error) {
	if cfg.InDim < 1 || cfg.OutDim < 1 || cfg.Hidden < 1 || cfg.Depth < 1 {
		return nil, fmt.Errorf("nn: invalid MLP config %+v", cfg)
	}
	if cfg.InputFourier < 0 || cfg.InputFourier > 0 && !(cfg.InputFourierScale > 0 && !math.IsInf(cfg.InputFourierScale, 0)) {
		return nil, fmt.Errorf("nn: MLP input Fourier features: %d frequencies with scale %v (want 0, or > 0 with a finite scale > 0)",
			cfg.InputFourier, cfg.InputFourierScale)
	}
	r := newRand(cfg.Seed, 1)
	m := &MLP{cfg: cfg}
	var err error
	if m.emb, err = NewTimeEmbedding("temb", cfg.Embedding, cfg.TimeDim, cfg.LogTime, cfg.TimeScale, r); err != nil {
		return nil, err
	}
	m.params = append(m.params, m.emb.Params()...)
	if nf := cfg.InputFourier; nf > 0 {
		// Drawn from their own stream, so that the layers' initialisation
		// is that of the same MLP without them.
		rf := newRand(cfg.Seed, 2)
		m.fourB = newParam("input_fourier.W", nf, cfg.InDim)
		m.fourB.Frozen = true
		for i := range m.fourB.Data {
			m.fourB.Data[i] = float32(rf.NormFloat64() * cfg.InputFourierScale)
		}
		m.params = append(m.params, m.fourB)
	}
	in := cfg.InDim + 2*cfg.InputFourier + cfg.TimeDim
	for i := 0; i < cfg.Depth; i++ {
		l := NewLinear(fmt.Sprintf("hidden.%d", i), in, cfg.Hidden, true, r)
		m.layers = append(m.layers, l)
		m.params = append(m.params, l.Params()...)
		in = cfg.Hidden
	}
	l := NewLinear("out", in, cfg.OutDim, false, r)
	m.layers = append(m.layers, l)
	m.params = append(m.params, l.Params()...)
	return m, nil
}

// InDim returns the data-input width.
func (m *MLP) InDim() int { return m.cfg.InDim }

// OutDim returns the output width.
func (m *MLP) OutDim() int { return m.cfg.OutDim }

// Params returns all parameters (the frozen Fourier frequencies of the time
// embedding and of the input, if any, first).
func (m *MLP) Params() []*Param { return m.params }

// Spec returns the model's architecture description.
func (m *MLP) Spec() Spec { c := m.cfg; return Spec{Kind: "mlp", MLP: &c} }

// Forward evaluates the network; train has no effect (no dropout).
func (m *MLP) Forward(input, t []float32, batch int, train bool) []float32 {
	in, td := m.cfg.InDim, m.cfg.TimeDim
	if len(input) < batch*in || len(t) < batch {
		panic(fmt.Sprintf("nn: MLP.Forward: input %d or t %d too short for batch %d", len(input), len(t), batch))
	}
	m.batch = batch
	e := m.emb.Forward(t, batch)
	nf := m.cfg.InputFourier
	w := in + 2*nf + td
	m.h0 = grow(m.h0, batch*w)
	for b := 0; b < batch; b++ {
		row := m.h0[b*w : b*w+w]
		u := input[b*in : b*in+in]
		copy(row[:in], u)
		for k := 0; k < nf; k++ {
			var z float64
			for i, f := range m.fourB.Data[k*in : k*in+in] {
				z += float64(f) * float64(u[i])
			}
			sz, cz := math.Sincos(2 * math.Pi * z)
			row[in+k], row[in+nf+k] = float32(sz), float32(cz)
		}
		copy(row[in+2*nf:], e[b*td:b*td+td])
	}
	h := m.h0
	for _, l := range m.layers {
		h = l.Forward(h, batch)
	}
	return h
}

// Backward back-propagates gradOut through the last Forward.
func (m *MLP) Backward(gradOut []float32, wantInputGrad bool) []float32 {
	g := gradOut
	accum := !m.noAccum
	for i := len(m.layers) - 1; i >= 0; i-- {
		need := i > 0 || wantInputGrad
		g = m.layers[i].Backward(g, need, accum)
	}
	if !wantInputGrad {
		return nil
	}
	in, nf := m.cfg.InDim, m.cfg.InputFourier
	w := in + 2*nf + m.cfg.TimeDim
	m.dIn = grow(m.dIn, m.batch*in)
	for b := 0; b < m.batch; b++ {
		d := m.dIn[b*in : b*in+in]
		copy(d, g[b*w:b*w+in])
		// ∂/∂u of sin(2π z_k), cos(2π z_k) with z_k = B_k·u: 2π B_k times
		// cos and −sin, which are the stored features.
		row, gr := m.h0[b*w:b*w+w], g[b*w:b*w+w]
		for k := 0; k < nf; k++ {
			c := 2 * math.Pi * (float64(gr[in+k])*float64(row[in+nf+k]) - float64(gr[in+nf+k])*float64(row[in+k]))
			for i, f := range m.fourB.Data[k*in : k*in+in] {
				d[i] += float32(c * float64(f))
			}
		}
	}
	return m.dIn
}

// InputVJP returns gᵀ ∂Out/∂Input at (input, t) without parameter gradients.
func (m *MLP) InputVJP(input, t []float32, batch int, g []float32) []float32 {
	m.Forward(input, t, batch, false)
	m.noAccum = true
	defer func() { m.noAccum = false }()
	return m.Backward(g, true)
}
