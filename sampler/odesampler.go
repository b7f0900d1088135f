package sampler

import (
	"fmt"

	"phasespace/ode"
)

// runODE integrates the probability-flow ODE (Process.ProbabilityFlowDrift)
//
//	du/dt = β(t)[A u − ½ D s(u, t)]
//
// in forward time from T down to ε with Dormand–Prince 5(4) at the
// configured tolerances (docs/samplers.md). The batch is one state vector
// (x then v), so the solver's RMS error norm runs over all samples.
func runODE(c *Config, b *batch, st *Stats, emit func(int, float64, bool)) error {
	p := b.p
	nd := b.n * b.d
	y := make([]float64, b.order*nd)
	copy(y, b.x)
	if b.order == 2 {
		copy(y[nd:], b.v)
	}
	// The model reads the state straight from the solver's stage vectors.
	var sv []float64
	if b.order == 2 {
		sv = b.sv
	}
	var scoreErr error
	f := func(t float64, u, du []float64) {
		st.NFE++
		x := u[:nd]
		var v []float64
		if b.order == 2 {
			v = u[nd:]
		}
		c.Model.Score(t, x, v, b.sx, sv)
		if scoreErr == nil {
			if err := b.check(b.sx, "score ∇ₓ", t, st.Steps); err != nil {
				scoreErr = err
			} else if err := b.check(sv, "score ∇ᵥ", t, st.Steps); err != nil {
				scoreErr = err
			}
		}
		var dv []float64
		if b.order == 2 {
			dv = du[nd:]
		}
		dr := p.ProbabilityFlowDrift(t)
		dr.Eval(du[:nd], dv, x, v, b.sx, sv)
	}
	opt := c.odeOptions()
	opt.Callback = func(t float64, u []float64) {
		st.Steps++
		if c.Callback != nil {
			copy(b.x, u[:nd])
			if b.order == 2 {
				copy(b.v, u[nd:])
			}
			emit(st.Steps, t, false)
		}
	}
	ost, err := ode.Solve(f, p.T, c.Eps, y, opt)
	st.Rejected = ost.Rejected
	if err != nil {
		if scoreErr != nil {
			return fmt.Errorf("sampler: probability-flow ODE: %w (first non-finite score: %w)", err, scoreErr)
		}
		return fmt.Errorf("sampler: probability-flow ODE: %w", err)
	}
	copy(b.x, y[:nd])
	if b.order == 2 {
		copy(b.v, y[nd:])
	}
	return b.checkState(c.Eps, st.Steps)
}
