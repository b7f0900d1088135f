package nn

import "fmt"

// MLPConfig describes the toy MLP score network: the data input (InDim
// columns) is concatenated with a TimeDim time embedding, followed by Depth
// Linear+SiLU layers of width Hidden and a final Linear to OutDim.
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
	r := newRand(cfg.Seed, 1)
	m := &MLP{cfg: cfg}
	var err error
	if m.emb, err = NewTimeEmbedding("temb", cfg.Embedding, cfg.TimeDim, cfg.LogTime, cfg.TimeScale, r); err != nil {
		return nil, err
	}
	m.params = append(m.params, m.emb.Params()...)
	in := cfg.InDim + cfg.TimeDim
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

// Params returns all parameters (the Fourier frequencies, if any, first).
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
	w := in + td
	m.h0 = grow(m.h0, batch*w)
	for b := 0; b < batch; b++ {
		copy(m.h0[b*w:b*w+in], input[b*in:b*in+in])
		copy(m.h0[b*w+in:b*w+w], e[b*td:b*td+td])
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
	in, w := m.cfg.InDim, m.cfg.InDim+m.cfg.TimeDim
	m.dIn = grow(m.dIn, m.batch*in)
	for b := 0; b < m.batch; b++ {
		copy(m.dIn[b*in:b*in+in], g[b*w:b*w+in])
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
