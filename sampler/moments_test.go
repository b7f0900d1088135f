package sampler

import (
	"phasespace/sde"
)

// gaussianFinalVar propagates the exact covariance of one coordinate through
// the EM or SSCS recursion (with denoising) when the data are N(0, v0) and
// the score is the exact linear score −Σ_t⁻¹u, and returns the final
// Var[x]. conv gives the SSCS conventions explicitly (no defaults). It is an independent, noise-free reference for the samplers.
func gaussianFinalVar(p *sde.Process, m Method, nfe int, s Striding, conv sscsConv, v0 float64) float64 {
	sig0 := sde.Sym2{XX: v0, VV: p.InitialCov(sde.HSM).VV}
	order := p.Order()
	inv := func(t float64) sde.Mat2 { // Σ_t⁻¹ (order 1: only XX)
		c := p.Cov(t, sig0)
		if order == 1 {
			return sde.Mat2{XX: 1 / c.XX}
		}
		d := c.Det()
		return sde.Mat2{XX: c.VV / d, XV: -c.XV / d, VX: -c.XV / d, VV: c.XX / d}
	}
	dm := sde.Mat2{XX: p.D.XX, VV: p.D.VV}
	add := func(a, b sde.Mat2) sde.Mat2 {
		return sde.Mat2{XX: a.XX + b.XX, XV: a.XV + b.XV, VX: a.VX + b.VX, VV: a.VV + b.VV}
	}
	// C = Cov of the prior.
	C := p.Stationary
	if order == 1 {
		C = sde.Sym2{XX: 1}
	}
	// Euler map for the reverse-SDE drift: I + βΔ(−A − DΣ⁻¹).
	euler := func(t, dt float64) sde.Mat2 {
		return add(sde.Identity2(), add(p.A.Scale(-1), dm.Mul(inv(t)).Scale(-1)).Scale(p.Beta(t)*dt))
	}
	c := Config{NFE: nfe}
	grid := Grid(s, c.Steps(), defaultEps, p.T)
	for k := 1; k < len(grid); k++ {
		t0, t1 := grid[k-1], grid[k]
		dt := t0 - t1
		if m == EM {
			C = euler(t0, dt).Sandwich(C).Add(p.D.Scale(p.Beta(t0) * dt))
			continue
		}
		tm := t0 - dt/2
		h1, h2, ts := p.Schedule.Between(tm, t0), p.Schedule.Between(t1, tm), tm
		if conv.score == ScoreAtStart {
			ts = t0
		}
		if conv.beta == BetaFirstHalfTwice {
			h2 = h1
		}
		phi1, q1 := p.SplitStep(h1)
		phi2, q2 := p.SplitStep(h2)
		C = phi1.Sandwich(C).Add(q1)
		sinfInv := sde.Mat2{XX: 1 / p.Stationary.XX}
		if order == 2 {
			sinfInv.VV = 1 / p.Stationary.VV
		}
		S := add(sde.Identity2(), dm.Mul(add(inv(ts).Scale(-1), sinfInv)).Scale(p.Beta(ts)*dt))
		C = S.Sandwich(C)
		C = phi2.Sandwich(C).Add(q2)
	}
	C = euler(defaultEps, defaultEps).Sandwich(C)
	return C.XX
}

// sscsConv is a pair of explicit SSCS conventions.
type sscsConv struct {
	score ScoreTime
	beta  HalfStepBeta
}

var (
	convReference = sscsConv{ScoreAtStart, BetaFirstHalfTwice} // the reference codes'
	convDefault   = sscsConv{DefaultScoreTime, DefaultHalfStepBeta}
	convOther     = sscsConv{ScoreAtMidpoint, BetaPerHalf} // the other value of both options
)
