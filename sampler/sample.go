package sampler

import (
	"fmt"
	"time"
)

// Sample draws n samples and returns their positions as a row-major n×d
// slice (d = cfg.Model.Dim()), with the cost of the run. It returns an error
// for an invalid configuration and, naming the step, time and quantity, when
// the state or the score becomes non-finite.
func Sample(cfg Config, n int) ([]float64, Stats, error) {
	start := time.Now()
	if err := cfg.normalize(n); err != nil {
		return nil, Stats{}, err
	}
	if err := cfg.Process.Validate(); err != nil {
		return nil, Stats{}, fmt.Errorf("sampler: Config.Process: %w", err)
	}
	b := newBatch(&cfg, n)
	b.prior()
	var st Stats
	emit := func(index int, t float64, denoise bool) {
		if cfg.Callback != nil {
			cfg.Callback(Step{Index: index, First: cfg.FirstIndex, Time: t, X: b.x, V: b.v, NFE: st.NFE, Denoise: denoise})
		}
	}
	emit(0, cfg.Process.T, false)
	var err error
	switch cfg.Method {
	case EM, SSCS, GDDIM:
		err = runGrid(&cfg, b, &st, emit)
	case ODE:
		err = runODE(&cfg, b, &st, emit)
	default:
		err = fmt.Errorf("sampler: unknown method %v (valid: em, sscs, ode)", cfg.Method)
	}
	if err == nil && !cfg.NoDenoise {
		if err = denoise(&cfg, b, &st); err == nil {
			emit(st.Steps+1, 0, true)
		}
	}
	st.Wall = time.Since(start)
	if err != nil {
		return nil, st, err
	}
	return b.x, st, nil
}

// runGrid takes the EM, SSCS or GDDIM steps over the time grid.
func runGrid(c *Config, b *batch, st *Stats, emit func(int, float64, bool)) error {
	grid := Grid(c.Striding, c.Steps(), c.Eps, c.Process.T)
	var step func(k int, t0, t1 float64) error
	switch c.Method {
	case EM:
		step = func(k int, t0, t1 float64) error { return emStep(c, b, k, t0, t1) }
	case SSCS:
		s, err := newSSCS(c, b)
		if err != nil {
			return err
		}
		step = s.step
	case GDDIM:
		g, err := newGDDIM(c, b)
		if err != nil {
			return err
		}
		step = g.step
	default:
		return fmt.Errorf("sampler: method %v has no time grid (valid: em, sscs, gddim)", c.Method)
	}
	for k := 1; k < len(grid); k++ {
		if err := step(k, grid[k-1], grid[k]); err != nil {
			return fmt.Errorf("sampler: %v step %d of %d (t %.6g → %.6g): %w", c.Method, k, len(grid)-1, grid[k-1], grid[k], err)
		}
		st.NFE++
		st.Steps++
		if err := b.checkState(grid[k], k); err != nil {
			return err
		}
		emit(k, grid[k], false)
	}
	return nil
}
