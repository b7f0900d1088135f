package sde

// Drift is the drift of one of the two reverse-time dynamics of a Process
// at one forward time t, per data coordinate u = (x, v) with score
// s = (sˣ, sᵛ) = ∇ᵤ log p_t(u):
//
//	d(u, s) = β(t)·(A u − c·D s),
//
// c = 1 for the reverse SDE (Process.ReverseDrift) and c = ½ for the
// probability-flow ODE (Process.ProbabilityFlowDrift). D = GGᵀ/β is
// diagonal for every Kind, so the score enters each component through one
// coefficient.
//
// A Drift is a value built once per time; evaluating it allocates nothing.
// At1 and At2 inline into the callers' per-coordinate loops; Eval runs the
// loop over slices with the coefficients in registers. The methods have
// pointer receivers so that a loop reads the coefficients in place instead
// of copying the Drift at every call. A closure that evaluates a Drift
// (e.g. one run by several goroutines) should copy it into a local first,
// so that the closure captures the Drift by value and it stays off the
// heap.
//
// The drift is written in forward time: the reverse-time dynamics run from
// t = T down to 0, so a step from t0 to t1 = t0 − Δ (Δ > 0) moves the state
// by −d(u, s)·Δ (plus noise for the reverse SDE).
type Drift struct {
	Beta  float64 // β(t)
	A     Mat2    // drift matrix per unit β (Process.A)
	SX    float64 // c·Dˣˣ: coefficient of sˣ per unit β
	SV    float64 // c·Dᵛᵛ: coefficient of sᵛ per unit β (0 for VP)
	Order int     // 1 (VP: x only) or 2 (CLD, PSLD: x and v)
}

// ReverseDrift returns the drift of the reverse-time SDE at forward time t
// (Anderson 1982; Song et al. 2021, Eq. 6):
//
//	du = [f(u, t) − G(t)G(t)ᵀ ∇ᵤ log p_t(u)] dt + G(t) dw̄,
//
// with dt < 0 and w̄ a reverse-time Wiener process. For a linear Process
// f = β(t)A u and GGᵀ = β(t)D, so the drift is β(t)(A u − D s). An
// Euler–Maruyama step from t0 to t0 − Δ is
//
//	u ← u − β(t0)(A u − D s)Δ + √(β(t0) D Δ) ξ,   ξ ~ N(0, I).
//
// It panics for a Process whose Kind is not VP, CLD or PSLD (see Validate).
func (p *Process) ReverseDrift(t float64) Drift {
	return Drift{Beta: p.Beta(t), A: p.A, SX: p.D.XX, SV: p.D.VV, Order: p.Order()}
}

// ProbabilityFlowDrift returns the right-hand side of the probability-flow
// ODE at forward time t (Song et al. 2021, Eq. 13),
//
//	du/dt = f(u, t) − ½ G(t)G(t)ᵀ ∇ᵤ log p_t(u) = β(t)(A u − ½ D s),
//
// whose solution has the same marginals p_t as the forward SDE.
//
// It panics for a Process whose Kind is not VP, CLD or PSLD (see Validate).
func (p *Process) ProbabilityFlowDrift(t float64) Drift {
	return Drift{Beta: p.Beta(t), A: p.A, SX: 0.5 * p.D.XX, SV: 0.5 * p.D.VV, Order: p.Order()}
}

// At1 returns the drift of an order-1 state (VP): β(Aˣˣ x − c·Dˣˣ sˣ).
func (d *Drift) At1(x, sx float64) float64 {
	return drift1(d.Beta, d.A.XX, d.SX, x, sx)
}

// At2 returns the drift (dˣ, dᵛ) of an order-2 state (CLD, PSLD):
//
//	dˣ = β(Aˣˣ x + Aˣᵛ v − c·Dˣˣ sˣ),  dᵛ = β(Aᵛˣ x + Aᵛᵛ v − c·Dᵛᵛ sᵛ).
func (d *Drift) At2(x, v, sx, sv float64) (float64, float64) {
	return drift2(d.Beta, d.A, d.SX, d.SV, x, v, sx, sv)
}

// Eval writes the drift of the states (x, v) with scores (sx, sv) into
// (dx, dv), element by element: At1 for order 1, where v, sv and dv are
// ignored and may be nil, At2 for order 2. Every slice it uses must be at
// least as long as x (it panics otherwise); the outputs may alias the
// inputs element for element (dx = x, dv = v).
func (d *Drift) Eval(dx, dv, x, v, sx, sv []float64) {
	// The coefficients are copied to locals so that they stay in registers
	// (a Drift is too large for the compiler to keep whole in registers).
	beta, a, cx, cv := d.Beta, d.A, d.SX, d.SV
	n := len(x)
	if len(dx) < n || len(sx) < n || (d.Order == 2 && (len(dv) < n || len(v) < n || len(sv) < n)) {
		panic(errShortSlice)
	}
	if d.Order == 1 {
		dx, sx = dx[:n], sx[:n]
		for j, xj := range x {
			dx[j] = drift1(beta, a.XX, cx, xj, sx[j])
		}
		return
	}
	dx, dv, v, sx, sv = dx[:n], dv[:n], v[:n], sx[:n], sv[:n]
	for j, xj := range x {
		dx[j], dv[j] = drift2(beta, a, cx, cv, xj, v[j], sx[j], sv[j])
	}
}

const errShortSlice = "sde: Drift.Eval: a slice is shorter than x"

// drift1 and drift2 are the formulas of At1 and At2 on scalar arguments.
func drift1(beta, axx, cx, x, sx float64) float64 {
	return beta * (axx*x - cx*sx)
}

func drift2(beta float64, a Mat2, cx, cv, x, v, sx, sv float64) (float64, float64) {
	return beta * (a.XX*x + a.XV*v - cx*sx), beta * (a.VX*x + a.VV*v - cv*sv)
}

// ScoreCoefficients returns β·c·(Dˣˣ, Dᵛᵛ), the factors of sˣ and sᵛ in d
// (−∂d/∂s). With them the divergence of d over one coordinate is
// β·tr A − βcDˣˣ ∂sˣ/∂x − βcDᵛᵛ ∂sᵛ/∂v, the quantity the instantaneous
// change-of-variables formula integrates along the probability-flow ODE.
func (d *Drift) ScoreCoefficients() (cx, cv float64) {
	return d.Beta * d.SX, d.Beta * d.SV
}
