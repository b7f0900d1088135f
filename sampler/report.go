package sampler

import (
	"fmt"
	"io"
	"time"
)

// Note says how a run of c spent its NFE (st): the tolerances and rejected
// steps of ODE, the order, K_t and grid of GDDIM, the grid of EM and SSCS,
// and whether the denoising step ran.
func (st Stats) Note(c Config) string {
	den := "incl. 1 denoising"
	if c.NoDenoise {
		den = "no denoising"
	}
	c.Striding = c.striding()
	switch c.Method {
	case ODE:
		return fmt.Sprintf("adaptive RK45, rtol %g atol %g, %d rejected steps, %s", c.RTol, c.ATol, st.Rejected, den)
	case GDDIM:
		return fmt.Sprintf("order %d, K = %v, %v striding, ε = %g, %s", c.Order, c.Param, c.Striding, c.Eps, den)
	}
	return fmt.Sprintf("%v striding, ε = %g, %s", c.Striding, c.Eps, den)
}

// RecordPaths appends to paths[k] the state (x₁, x₂, v₁, v₂) of sample k
// (global index, s.First the index of row 0) of s, for each k < len(paths)
// that s holds; d ≥ 2 is the data dimension and v is zero for VP. Used as
// a Config.Callback it records the phase-space trajectories of the first
// len(paths) samples, also when they are drawn in chunks (SampleChunks).
func RecordPaths(paths [][][4]float64, s Step, d int) {
	for k := range paths {
		r := k - s.First // row of sample k in s
		if r < 0 {
			continue
		}
		if (r+1)*d > len(s.X) {
			break
		}
		var st [4]float64
		st[0], st[1] = s.X[r*d], s.X[r*d+1]
		if s.V != nil {
			st[2], st[3] = s.V[r*d], s.V[r*d+1]
		}
		paths[k] = append(paths[k], st)
	}
}

// Progress writes a status line of a run (method, step, time, NFE,
// elapsed time) to W at most every two seconds; use Step as (part of) the
// Config.Callback and call Done when the run returns.
type Progress struct {
	w          io.Writer
	c          Config
	start, end time.Time
	printed    bool
}

// NewProgress returns a Progress for a run of c writing to w.
func NewProgress(w io.Writer, c Config) *Progress {
	now := time.Now()
	return &Progress{w: w, c: c, start: now, end: now}
}

// Step rewrites the status line (with a carriage return) if two seconds
// have passed since the last one.
func (p *Progress) Step(s Step) {
	now := time.Now()
	if now.Sub(p.end) < 2*time.Second {
		return
	}
	p.end, p.printed = now, true
	total := ""
	if p.c.Method != ODE {
		total = fmt.Sprintf("/%d", p.c.NFE)
	}
	fmt.Fprintf(p.w, "\rsample: %v step %d, t = %.4f, %d%s NFE, %v elapsed   ", p.c.Method, s.Index, s.Time, s.NFE, total, now.Sub(p.start).Round(time.Second))
}

// Done ends the status line, if one was written.
func (p *Progress) Done() {
	if p.printed {
		fmt.Fprintln(p.w)
	}
}
