package sampler

import (
	"fmt"
	"math/rand/v2"

	"phasespace/internal/parallel"
	"phasespace/rng"
	"phasespace/sde"
)

// sscs is the symmetric splitting sampler (Dockhorn et al. 2022, §3.3;
// Pandey & Mandt 2023, Eq. 12). The reverse SDE is split
// into a linear part
//
//	A: du = β A_S u dτ + G dW,   A_S = −A − DΣ∞⁻¹ (Process.SplitMatrix),
//
// the reversed Hamiltonian part with forward damping, which is stable, has
// stationary law Σ∞ and is integrated exactly (Process.SplitStep), and a
// score part
//
//	S: du = β D (s(u) + Σ∞⁻¹u) dτ,
//
// taken as one Euler step. One step from t0 to t1 = t0 − Δ is A(Δ/2) –
// S(Δ) – A(Δ/2) with one score evaluation.
//
// Two details are conventions that the splitting leaves open, chosen by
// Config.SSCSScore (score and β of S at the step midpoint t_m = t0 − Δ/2
// or at its start t0) and Config.SSCSBeta (A half-steps integrating β over
// their own halves, h₁ = ∫_{t_m}^{t0} β and h₂ = ∫_{t1}^{t_m} β, or both
// over the first half h₁, as the reference codes do). Their trade-off and
// the measured table behind the defaults are in docs/samplers.md ("SSCS
// conventions"). For the VP-SDE the same splitting applies with A_S = −½
// (an Ornstein–Uhlenbeck step toward N(0, 1)) and S = β(s + x).
type sscs struct {
	c  *Config
	b  *batch
	gs []*rand.Rand // per-sample noise streams of the current step
}

func newSSCS(c *Config, b *batch) (*sscs, error) {
	return &sscs{c: c, b: b, gs: make([]*rand.Rand, b.n)}, nil
}

// halfStep is the exact A-propagator over integrated β = h.
type halfStep struct {
	phi sde.Mat2
	l   sde.Chol2
}

func (s *sscs) propagator(h float64) (halfStep, error) {
	phi, cov := s.b.p.SplitStep(h)
	l, err := sde.Cholesky(cov, s.b.order)
	if err != nil {
		return halfStep{}, fmt.Errorf("A half-step with ∫β = %v: %w", h, err)
	}
	return halfStep{phi, l}, nil
}

func (s *sscs) step(k int, t0, t1 float64) error {
	p, b := s.b.p, s.b
	tm := t0 - (t0-t1)/2
	h1 := p.Schedule.Between(tm, t0)
	h2 := p.Schedule.Between(t1, tm)
	ts := tm
	if s.c.SSCSScore == ScoreAtStart {
		ts = t0
	}
	if s.c.SSCSBeta == BetaFirstHalfTwice {
		h2 = h1
	}
	a1, err := s.propagator(h1)
	if err != nil {
		return err
	}
	a2, err := s.propagator(h2)
	if err != nil {
		return err
	}
	parallel.For(b.n, minChunk, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s.gs[i] = rng.New(b.seed, rng.PurposeSamplerNoise, uint64(b.first+i), uint64(k))
			s.apply(a1, i)
		}
	})
	if err := b.score(s.c, ts, k-1); err != nil {
		return err
	}
	w := p.Beta(ts) * (t0 - t1)
	dd, sinf := p.D, p.Stationary
	parallel.For(b.n, minChunk, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x, sx := b.row(b.x, i), b.row(b.sx, i)
			for j := range x {
				x[j] += w * dd.XX * (sx[j] + x[j]/sinf.XX)
			}
			if b.order == 2 {
				v, sv := b.row(b.v, i), b.row(b.sv, i)
				for j := range v {
					v[j] += w * dd.VV * (sv[j] + v[j]/sinf.VV)
				}
			}
			s.apply(a2, i)
			s.gs[i] = nil
		}
	})
	return nil
}

// apply propagates sample i by one exact A half-step.
func (s *sscs) apply(a halfStep, i int) {
	b, r := s.b, s.gs[i]
	x := b.row(b.x, i)
	if b.order == 1 {
		for j := range x {
			x[j] = a.phi.XX*x[j] + a.l.L11*r.NormFloat64()
		}
		return
	}
	v := b.row(b.v, i)
	for j := range x {
		ex, ev := r.NormFloat64(), r.NormFloat64()
		mx, mv := a.phi.Apply(x[j], v[j])
		x[j] = mx + a.l.L11*ex
		v[j] = mv + a.l.L21*ex + a.l.L22*ev
	}
}
