package nn

import "math"

// Adam is the Adam optimiser with bias correction (Kingma & Ba). With
// Decoupled set it is AdamW (Loshchilov & Hutter): the weight decay
// θ ← θ − lr·λ·θ is applied directly; otherwise λ·θ is added to the gradient
// (PyTorch's Adam weight_decay). Frozen parameters are skipped.
type Adam struct {
	LR          float64
	Beta1       float64
	Beta2       float64
	Eps         float64
	WeightDecay float64
	Decoupled   bool

	step int
	m, v map[*Param][]float32
}

// NewAdam returns Adam with PyTorch's defaults (β = 0.9, 0.999, ε = 1e-8).
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// NewAdamW returns AdamW with PyTorch's defaults and decoupled decay wd.
func NewAdamW(lr, wd float64) *Adam {
	a := NewAdam(lr)
	a.WeightDecay, a.Decoupled = wd, true
	return a
}

// Steps returns the number of updates done.
func (a *Adam) Steps() int { return a.step }

// Step updates ps from their gradients (it does not clear them).
func (a *Adam) Step(ps []*Param) { a.sweep(ps, 1, nil, false) }

// StepEMA is, bit for bit, ClipGrads's scaling of the gradients by
// gradScale (1: none), Step(ps), e.Update(ps) and ZeroGrad(ps) done in one
// sweep: each parameter's chunk is scaled, updated, averaged and cleared
// back to back while it is in the core's cache, with one parallel split
// per parameter instead of four. e must have been built from ps (NewEMA).
func (a *Adam) StepEMA(ps []*Param, e *EMA, gradScale float32) {
	a.sweep(ps, gradScale, e, true)
}

// sweep is Step with the options of StepEMA (ema nil: no average).
func (a *Adam) sweep(ps []*Param, gradScale float32, ema *EMA, zero bool) {
	if a.m == nil {
		a.m, a.v = map[*Param][]float32{}, map[*Param][]float32{}
	}
	a.step++
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	bc1 := 1 - math.Pow(a.Beta1, float64(a.step))
	bc2 := 1 - math.Pow(a.Beta2, float64(a.step))
	// θ −= lr/bc1 · m / (√v/√bc2 + ε)
	stepSize := float32(a.LR / bc1)
	rbc2 := float32(1 / math.Sqrt(bc2))
	eps := float32(a.Eps)
	wd := float32(a.WeightDecay)
	decay := float32(1 - a.LR*a.WeightDecay)
	var ed float32 // the EMA's decay for this update
	if ema != nil {
		ed = float32(ema.CurrentDecay())
		ema.n++
	}
	for k, p := range ps {
		d, g := p.Data, p.Grad
		var s []float32
		if ema != nil {
			s = ema.Shadow[k].Data
		}
		// after finishes a chunk: the average, then the cleared gradient.
		after := func(lo, hi int) {
			if s != nil {
				for i := lo; i < hi; i++ {
					s[i] = ed*s[i] + (1-ed)*d[i]
				}
			}
			if zero {
				clear(g[lo:hi])
			}
		}
		if p.Frozen {
			if s != nil || zero {
				pfor(len(d), elemGrain, after)
			}
			continue
		}
		m, ok := a.m[p]
		if !ok {
			m = make([]float32, len(p.Data))
			a.m[p] = m
			a.v[p] = make([]float32, len(p.Data))
		}
		v := a.v[p]
		c := [8]float32{b1, 1 - b1, b2, 1 - b2, stepSize, rbc2, eps}
		pfor(len(d), elemGrain, func(lo, hi int) {
			lo0 := lo
			if gradScale != 1 {
				for i := lo; i < hi; i++ {
					g[i] *= gradScale
				}
			}
			wd := wd
			if wd == 0 || a.Decoupled {
				if wd != 0 {
					for i := lo; i < hi; i++ {
						d[i] *= decay
					}
				}
				lo += adamKernel(d[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], &c)
				wd = 0 // decay already applied
			}
			for i := lo; i < hi; i++ {
				gi := g[i]
				if wd != 0 {
					if a.Decoupled {
						d[i] *= decay
					} else {
						gi += wd * d[i]
					}
				}
				mi := b1*m[i] + (1-b1)*gi
				vi := b2*v[i] + (1-b2)*gi*gi
				m[i], v[i] = mi, vi
				d[i] -= stepSize * mi / (float32(math.Sqrt(float64(vi)))*rbc2 + eps)
			}
			after(lo0, hi)
		})
	}
}

// State returns copies of the optimiser's moment estimates in parameter
// order, named "<param>.m" and "<param>.v", and its step count, so that it
// can be checkpointed with SaveParams-like tools.
func (a *Adam) State(ps []*Param) (tensors []*Param, step int) {
	for _, p := range ps {
		if p.Frozen {
			continue
		}
		m, v := newParam(p.Name+".m", p.Shape...), newParam(p.Name+".v", p.Shape...)
		if a.m != nil && a.m[p] != nil {
			copy(m.Data, a.m[p])
			copy(v.Data, a.v[p])
		}
		tensors = append(tensors, m, v)
	}
	return tensors, a.step
}

// SetState restores moments produced by State (same parameter order).
func (a *Adam) SetState(ps []*Param, tensors []*Param, step int) {
	a.m, a.v = map[*Param][]float32{}, map[*Param][]float32{}
	a.step = step
	i := 0
	for _, p := range ps {
		if p.Frozen {
			continue
		}
		a.m[p] = append([]float32(nil), tensors[i].Data...)
		a.v[p] = append([]float32(nil), tensors[i+1].Data...)
		i += 2
	}
}
