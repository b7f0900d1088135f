package nn

// EMA keeps an exponential moving average of parameters with the warm-up
// rule decay_n = min(Decay, (1+n)/(10+n)), n the number of updates so far.
type EMA struct {
	Decay  float64
	Shadow []*Param // averaged copies, same names and shapes
	n      int
}

// NewEMA starts an average at the current values of ps.
func NewEMA(ps []*Param, decay float64) *EMA {
	e := &EMA{Decay: decay}
	for _, p := range ps {
		q := &Param{Name: p.Name, Shape: p.Shape, Data: append([]float32(nil), p.Data...), Frozen: p.Frozen}
		e.Shadow = append(e.Shadow, q)
	}
	return e
}

// Updates returns the number of updates done.
func (e *EMA) Updates() int { return e.n }

// SetUpdates sets the update counter (when resuming from a checkpoint).
func (e *EMA) SetUpdates(n int) { e.n = n }

// CurrentDecay returns the decay the next Update will use.
func (e *EMA) CurrentDecay() float64 {
	return min(e.Decay, float64(1+e.n)/float64(10+e.n))
}

// Update moves the average towards ps: s ← d·s + (1−d)·p.
func (e *EMA) Update(ps []*Param) {
	d := float32(e.CurrentDecay())
	for k, p := range ps {
		s := e.Shadow[k].Data
		pd := p.Data
		pfor(len(s), elemGrain, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				s[i] = d*s[i] + (1-d)*pd[i]
			}
		})
	}
	e.n++
}

// CopyTo writes the averaged values into ps (e.g. an evaluation model).
func (e *EMA) CopyTo(ps []*Param) {
	for k, p := range ps {
		copy(p.Data, e.Shadow[k].Data)
	}
}
