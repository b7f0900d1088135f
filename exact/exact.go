// Package exact provides the exact marginal density p_t(u) and score of the
// VP, CLD and PSLD diffusions when the data are a Gaussian mixture with
// diagonal component covariances and the initial velocity (momentum) is
// drawn from N(0, γM). Each mixture component stays Gaussian under a linear
// SDE, per coordinate with mean Φ(t)(μ, 0) and covariance
// Σ_t(Σ₀ = diag(σ², γM)), so p_t is again a Gaussian mixture. An Oracle is a
// score.Model and can stand in for a trained network anywhere.
package exact

import (
	"errors"
	"fmt"
	"math"

	"phasespace/internal/parallel"
	"phasespace/mixture"
	"phasespace/sde"
)

// Oracle is the exact marginal of a diffusion started from a Gaussian
// mixture. It is safe for concurrent use.
type Oracle struct {
	Process *sde.Process
	Data    *mixture.Mixture
}

// New returns the oracle for process p and data mixture m. It returns an
// error for a nil p, a p whose Kind is not VP, CLD or PSLD
// (sde.Process.Validate) or an invalid mixture.
func New(p *sde.Process, m *mixture.Mixture) (*Oracle, error) {
	if p == nil {
		return nil, errors.New("exact: nil process")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("exact: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &Oracle{Process: p, Data: m}, nil
}

// Dim returns the data dimension.
func (o *Oracle) Dim() int { return o.Data.Dim }

// marginal holds, for one time, each component's per-coordinate mean
// (x and v parts) and inverse covariance.
type marginal struct {
	order        int
	logW         []float64
	mx, mv       [][]float64 // [k][j]
	ixx, ixv, iv [][]float64 // inverse covariance entries [k][j]
	logDet       [][]float64 // log det Σ_kj
	sxx          [][]float64 // Σˣˣ_kj, for the x-marginal
}

func (o *Oracle) marginalAt(t float64) *marginal {
	p := o.Process
	order := p.Order()
	phi := p.Propagator(0, t)
	vv0 := p.InitialCov(sde.HSM).VV
	K, d := len(o.Data.Components), o.Data.Dim
	m := &marginal{order: order, logW: make([]float64, K)}
	alloc := func() [][]float64 {
		a := make([][]float64, K)
		flat := make([]float64, K*d)
		for k := range a {
			a[k] = flat[k*d : (k+1)*d]
		}
		return a
	}
	m.mx, m.mv, m.ixx, m.ixv, m.iv, m.logDet, m.sxx = alloc(), alloc(), alloc(), alloc(), alloc(), alloc(), alloc()
	for k, c := range o.Data.Components {
		m.logW[k] = math.Log(c.Weight)
		for j := 0; j < d; j++ {
			s := p.Cov(t, sde.Sym2{XX: c.Var[j], VV: vv0})
			mx, mv := phi.Apply(c.Mean[j], 0)
			m.mx[k][j], m.mv[k][j] = mx, mv
			m.sxx[k][j] = s.XX
			if order == 1 {
				m.ixx[k][j] = 1 / s.XX
				m.logDet[k][j] = math.Log(s.XX)
				continue
			}
			det := s.Det()
			m.ixx[k][j], m.ixv[k][j], m.iv[k][j] = s.VV/det, -s.XV/det, s.XX/det
			m.logDet[k][j] = math.Log(det)
		}
	}
	return m
}

// componentTerms writes, for one state (x, v) of length d, each component's
// log weight plus log density into lp.
func (m *marginal) componentTerms(x, v, lp []float64) {
	for k := range lp {
		s := m.logW[k]
		for j := range x {
			dx := x[j] - m.mx[k][j]
			var q float64
			if m.order == 1 {
				q = dx * dx * m.ixx[k][j]
				s -= 0.5 * (q + m.logDet[k][j] + ln2Pi)
				continue
			}
			dv := v[j] - m.mv[k][j]
			q = dx*dx*m.ixx[k][j] + 2*dx*dv*m.ixv[k][j] + dv*dv*m.iv[k][j]
			s -= 0.5 * (q + m.logDet[k][j] + 2*ln2Pi)
		}
		lp[k] = s
	}
}

var ln2Pi = math.Log(2 * math.Pi)

// rows returns the slice of row i (length d) of a, or nil when a is nil.
func rows(a []float64, i, d int) []float64 {
	if a == nil {
		return nil
	}
	return a[i*d : (i+1)*d]
}

// LogProb writes log p_t(x_i, v_i) for each state of the batch into dst
// (length n). For VP, v is ignored and may be nil.
func (o *Oracle) LogProb(t float64, x, v, dst []float64) {
	m := o.marginalAt(t)
	d := o.Data.Dim
	parallel.For(len(dst), 256, func(lo, hi int) {
		lp := make([]float64, len(m.logW))
		for i := lo; i < hi; i++ {
			m.componentTerms(rows(x, i, d), rows(v, i, d), lp)
			dst[i] = mixture.LogSumExp(lp)
		}
	})
}

// LogProbX writes log p_t(x_i), the density of the position alone with the
// velocity integrated out analytically, into dst.
func (o *Oracle) LogProbX(t float64, x, dst []float64) {
	m := o.marginalAt(t)
	d := o.Data.Dim
	parallel.For(len(dst), 256, func(lo, hi int) {
		lp := make([]float64, len(m.logW))
		for i := lo; i < hi; i++ {
			xi := rows(x, i, d)
			for k := range lp {
				s := m.logW[k]
				for j := range xi {
					dx := xi[j] - m.mx[k][j]
					s -= 0.5 * (dx*dx/m.sxx[k][j] + math.Log(m.sxx[k][j]) + ln2Pi)
				}
				lp[k] = s
			}
			dst[i] = mixture.LogSumExp(lp)
		}
	})
}

// Score writes ∇_x log p_t and ∇_v log p_t of the batch into sx and sv
// (sv and v nil for VP).
func (o *Oracle) Score(t float64, x, v, sx, sv []float64) {
	m := o.marginalAt(t)
	d := o.Data.Dim
	n := len(x) / d
	parallel.For(n, 128, func(lo, hi int) {
		lp := make([]float64, len(m.logW))
		for i := lo; i < hi; i++ {
			xi, vi := rows(x, i, d), rows(v, i, d)
			m.componentTerms(xi, vi, lp)
			lse := mixture.LogSumExp(lp)
			gx, gv := rows(sx, i, d), rows(sv, i, d)
			for j := 0; j < d; j++ {
				gx[j] = 0
				if gv != nil {
					gv[j] = 0
				}
			}
			for k := range lp {
				r := math.Exp(lp[k] - lse)
				if r == 0 {
					continue
				}
				for j := 0; j < d; j++ {
					dx := xi[j] - m.mx[k][j]
					if m.order == 1 {
						gx[j] -= r * dx * m.ixx[k][j]
						continue
					}
					dv := vi[j] - m.mv[k][j]
					gx[j] -= r * (m.ixx[k][j]*dx + m.ixv[k][j]*dv)
					gv[j] -= r * (m.ixv[k][j]*dx + m.iv[k][j]*dv)
				}
			}
		}
	})
}

// ScoreJacobian writes the Jacobian ∂s/∂u of the score at one state into jac,
// a row-major (order·d)×(order·d) matrix over u = (x₁..x_d, v₁..v_d):
//
//	∂s/∂u = Σ_k r_k (g_k g_kᵀ − P_k) − s sᵀ,  g_k = −P_k(u − μ_k),
//
// with r_k the responsibilities and P_k the component precision. x and v
// hold one state (d values each; v is ignored for VP). It returns an error
// when len(jac) ≠ (order·d)².
func (o *Oracle) ScoreJacobian(t float64, x, v, jac []float64) error {
	m := o.marginalAt(t)
	n := m.order * o.Data.Dim
	if len(jac) != n*n {
		return fmt.Errorf("exact: jacobian has length %d, want %d", len(jac), n*n)
	}
	m.jacobian(x, v, jac, newJacScratch(len(m.logW), n))
	return nil
}

type jacScratch struct{ lp, s, g []float64 }

func newJacScratch(k, n int) *jacScratch {
	return &jacScratch{lp: make([]float64, k), s: make([]float64, n), g: make([]float64, n)}
}

func (m *marginal) jacobian(x, v, jac []float64, sc *jacScratch) {
	d := len(x)
	n := m.order * d
	lp, s, g := sc.lp, sc.s, sc.g
	m.componentTerms(x, v, lp)
	lse := mixture.LogSumExp(lp)
	for i := range jac {
		jac[i] = 0
	}
	for i := range s {
		s[i] = 0
	}
	for k := range lp {
		r := math.Exp(lp[k] - lse)
		if r == 0 {
			continue
		}
		for j := 0; j < d; j++ {
			dx := x[j] - m.mx[k][j]
			if m.order == 1 {
				g[j] = -m.ixx[k][j] * dx
				jac[j*n+j] -= r * m.ixx[k][j]
				continue
			}
			dv := v[j] - m.mv[k][j]
			g[j] = -(m.ixx[k][j]*dx + m.ixv[k][j]*dv)
			g[d+j] = -(m.ixv[k][j]*dx + m.iv[k][j]*dv)
			jac[j*n+j] -= r * m.ixx[k][j]
			jac[j*n+d+j] -= r * m.ixv[k][j]
			jac[(d+j)*n+j] -= r * m.ixv[k][j]
			jac[(d+j)*n+d+j] -= r * m.iv[k][j]
		}
		for a := 0; a < n; a++ {
			s[a] += r * g[a]
			for b := 0; b < n; b++ {
				jac[a*n+b] += r * g[a] * g[b]
			}
		}
	}
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			jac[a*n+b] -= s[a] * s[b]
		}
	}
}

// ScoreVJP writes the score and the products wᵀ ∂s/∂u for each state of the
// batch (the score Jacobian is the Hessian of log p_t, hence symmetric).
func (o *Oracle) ScoreVJP(t float64, x, v, wx, wv, sx, sv, gx, gv []float64) {
	o.Score(t, x, v, sx, sv)
	d := o.Data.Dim
	order := o.Process.Order()
	m := order * d
	n := len(x) / d
	marg := o.marginalAt(t)
	parallel.For(n, 64, func(lo, hi int) {
		jac := make([]float64, m*m)
		w := make([]float64, m)
		sc := newJacScratch(len(marg.logW), m)
		for i := lo; i < hi; i++ {
			marg.jacobian(rows(x, i, d), rows(v, i, d), jac, sc)
			copy(w, wx[i*d:(i+1)*d])
			if order == 2 {
				copy(w[d:], wv[i*d:(i+1)*d])
			}
			for b := 0; b < m; b++ {
				s := 0.0
				for a := 0; a < m; a++ {
					s += w[a] * jac[a*m+b]
				}
				if b < d {
					gx[i*d+b] = s
				} else {
					gv[i*d+b-d] = s
				}
			}
		}
	})
}
