package sde

import (
	"errors"
	"fmt"
	"math"
)

// Kind names one of the implemented diffusions.
type Kind int

const (
	VP   Kind = iota + 1 // variance-preserving SDE, state x only
	CLD                  // critically-damped Langevin diffusion, state (x, v)
	PSLD                 // phase space Langevin diffusion, state (x, m)
)

// String returns the command-line name of k.
func (k Kind) String() string {
	switch k {
	case VP:
		return "vp"
	case CLD:
		return "cld"
	case PSLD:
		return "psld"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind maps "vp", "cld" and "psld" to a Kind.
func ParseKind(s string) (Kind, error) {
	switch s {
	case "vp":
		return VP, nil
	case "cld":
		return CLD, nil
	case "psld":
		return PSLD, nil
	}
	return 0, fmt.Errorf("sde: unknown SDE %q (valid: vp, cld, psld)", s)
}

// Objective selects the initial condition of the perturbation kernel.
type Objective int

const (
	// HSM conditions on x₀ only and marginalises the initial velocity:
	// μ₀ = (x₀, 0), Σ₀ = diag(0, γM).
	HSM Objective = iota + 1
	// DSM conditions on x₀ and a sampled v₀ ~ N(0, γM): Σ₀ = 0.
	DSM
)

// String returns "hsm" or "dsm".
func (o Objective) String() string {
	switch o {
	case HSM:
		return "hsm"
	case DSM:
		return "dsm"
	}
	return fmt.Sprintf("Objective(%d)", int(o))
}

// ParseObjective maps "hsm" and "dsm" to an Objective.
func ParseObjective(s string) (Objective, error) {
	switch s {
	case "hsm":
		return HSM, nil
	case "dsm":
		return DSM, nil
	}
	return 0, fmt.Errorf("sde: unknown objective %q (valid: hsm, dsm)", s)
}

// Process is a linear forward SDE, per data coordinate
//
//	du = β(t)·A·u dt + G dW,  GGᵀ = β(t)·D.
//
// Use NewVP, NewCLD or NewPSLD to build one; the fields are exported for
// inspection and must not be changed afterwards.
type Process struct {
	Kind     Kind
	Schedule Schedule
	T        float64 // time horizon (1)

	A          Mat2 // drift matrix per unit β
	D          Sym2 // diffusion GGᵀ per unit β
	Stationary Sym2 // Σ∞: A Σ∞ + Σ∞ Aᵀ + D = 0; diag(1, M) (VP: diag(1, 0))

	MInv     float64 // M⁻¹ (CLD, PSLD)
	Friction float64 // Γ: CLD's velocity friction (derived, 2/√M⁻¹) or PSLD's position friction
	Nu       float64 // ν: PSLD's momentum friction
	// InitVelVar is the initial velocity (momentum) variance factor: CLD's γ,
	// PSLD's κ; Σ₀ᵛᵛ = InitVelVar·M under HSM.
	InitVelVar float64
	// NumericalEps is added to Σˣˣ and Σᵛᵛ by Kernel (not by Cov), as the
	// reference implementations do (CIFAR-10: 1e-9, toy: 1e-6).
	NumericalEps float64
}

// VPConfig parameterises the VP-SDE: β(t) = BetaMin + t(BetaMax − BetaMin).
type VPConfig struct {
	BetaMin, BetaMax float64
	NumericalEps     float64
}

// DefaultVP returns Song et al.'s configuration: β_min = 0.1, β_max = 20.
func DefaultVP() VPConfig { return VPConfig{BetaMin: 0.1, BetaMax: 20} }

// CLDConfig parameterises CLD. Critical damping fixes Γ = 2/√M⁻¹.
type CLDConfig struct {
	Schedule     Schedule
	MInv         float64 // M⁻¹
	Gamma        float64 // γ: initial velocity variance factor, Σ₀ᵛᵛ = γM
	NumericalEps float64
}

// DefaultCLD returns the CIFAR-10 configuration: β = 4, M⁻¹ = 4, γ = 0.04, eps 1e-9.
func DefaultCLD() CLDConfig {
	return CLDConfig{Schedule: Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04, NumericalEps: 1e-9}
}

// PSLDConfig parameterises PSLD. Critical damping fixes M⁻¹ = (Γ − ν)²/4.
type PSLDConfig struct {
	Schedule     Schedule
	Gamma        float64 // Γ: position-space friction and noise
	Nu           float64 // ν: momentum friction
	Kappa        float64 // κ: initial momentum variance factor, Σ₀ᵐᵐ = κM
	NumericalEps float64
}

// DefaultPSLD returns the CIFAR-10 configuration: β = 8, Γ = 0.01, ν = 4.01, κ = 0.04, eps 1e-9.
func DefaultPSLD() PSLDConfig {
	return PSLDConfig{Schedule: Schedule{Beta0: 8}, Gamma: 0.01, Nu: 4.01, Kappa: 0.04, NumericalEps: 1e-9}
}

// NewVP returns the VP-SDE dx = −½β x dt + √β dW.
func NewVP(c VPConfig) (*Process, error) {
	p := &Process{
		Kind: VP, T: 1,
		Schedule:     Schedule{Beta0: c.BetaMin, Beta1: c.BetaMax - c.BetaMin},
		A:            Mat2{XX: -0.5},
		D:            Sym2{XX: 1},
		Stationary:   Sym2{XX: 1},
		NumericalEps: c.NumericalEps,
	}
	if err := p.Schedule.validate(p.T); err != nil {
		return nil, fmt.Errorf("sde: vp: %w", err)
	}
	if err := checkEps(c.NumericalEps); err != nil {
		return nil, fmt.Errorf("sde: vp: %w", err)
	}
	return p, nil
}

// NewCLD returns critically-damped Langevin diffusion
//
//	dx = M⁻¹β v dt,  dv = (−β x − ΓM⁻¹β v) dt + √(2Γβ) dW,  Γ = 2/√M⁻¹.
func NewCLD(c CLDConfig) (*Process, error) {
	if !(c.MInv > 0) || math.IsInf(c.MInv, 0) {
		return nil, fmt.Errorf("sde: cld: MInv = %v, want a finite value > 0", c.MInv)
	}
	if !(c.Gamma > 0) || math.IsInf(c.Gamma, 0) {
		return nil, fmt.Errorf("sde: cld: Gamma (γ) = %v, want a finite value > 0 (initial velocity variance factor)", c.Gamma)
	}
	if err := checkEps(c.NumericalEps); err != nil {
		return nil, fmt.Errorf("sde: cld: %w", err)
	}
	fr := 2 / math.Sqrt(c.MInv)
	m := 1 / c.MInv
	p := &Process{
		Kind: CLD, T: 1, Schedule: c.Schedule,
		A:          Mat2{XX: 0, XV: c.MInv, VX: -1, VV: -fr * c.MInv},
		D:          Sym2{VV: 2 * fr},
		Stationary: Sym2{XX: 1, VV: m},
		MInv:       c.MInv, Friction: fr, InitVelVar: c.Gamma,
		NumericalEps: c.NumericalEps,
	}
	if err := p.Schedule.validate(p.T); err != nil {
		return nil, fmt.Errorf("sde: cld: %w", err)
	}
	return p, nil
}

// NewPSLD returns phase space Langevin diffusion (the "complete recipe" with
// D = (β/2)diag(Γ, Mν), Q = (β/2)[[0, −1], [1, 0]]):
//
//	dx = (β/2)(M⁻¹m − Γx) dt + √(Γβ) dWˣ,  dm = (β/2)(−x − νm) dt + √(Mνβ) dWᵐ,
//
// with M⁻¹ = (Γ − ν)²/4 (critical damping).
func NewPSLD(c PSLDConfig) (*Process, error) {
	if !(c.Gamma >= 0) || math.IsInf(c.Gamma, 0) {
		return nil, fmt.Errorf("sde: psld: Gamma (Γ) = %v, want a finite value >= 0", c.Gamma)
	}
	if !(c.Nu > 0) || math.IsInf(c.Nu, 0) {
		return nil, fmt.Errorf("sde: psld: Nu = %v, want a finite value > 0", c.Nu)
	}
	if c.Nu == c.Gamma {
		return nil, errors.New("sde: psld: Nu == Gamma gives M⁻¹ = (Γ−ν)²/4 = 0; choose Nu != Gamma (default Nu = Gamma + 4)")
	}
	if !(c.Kappa > 0) || math.IsInf(c.Kappa, 0) {
		return nil, fmt.Errorf("sde: psld: Kappa (κ) = %v, want a finite value > 0 (initial momentum variance factor)", c.Kappa)
	}
	if err := checkEps(c.NumericalEps); err != nil {
		return nil, fmt.Errorf("sde: psld: %w", err)
	}
	d := c.Gamma - c.Nu
	minv := d * d / 4
	m := 1 / minv
	p := &Process{
		Kind: PSLD, T: 1, Schedule: c.Schedule,
		A:          Mat2{XX: -c.Gamma / 2, XV: minv / 2, VX: -0.5, VV: -c.Nu / 2},
		D:          Sym2{XX: c.Gamma, VV: m * c.Nu},
		Stationary: Sym2{XX: 1, VV: m},
		MInv:       minv, Friction: c.Gamma, Nu: c.Nu, InitVelVar: c.Kappa,
		NumericalEps: c.NumericalEps,
	}
	if err := p.Schedule.validate(p.T); err != nil {
		return nil, fmt.Errorf("sde: psld: %w", err)
	}
	return p, nil
}

func checkEps(e float64) error {
	if !(e >= 0) || e > 1e-2 {
		return fmt.Errorf("NumericalEps = %v, want 0 <= NumericalEps <= 1e-2", e)
	}
	return nil
}

// Order returns the per-coordinate state size: 1 for VP, 2 for CLD and PSLD.
// It panics for any other Kind (a Process not built by NewVP, NewCLD or
// NewPSLD); Validate reports that case as an error instead.
func (p *Process) Order() int {
	switch p.Kind {
	case VP:
		return 1
	case CLD, PSLD:
		return 2
	}
	panic(unknownKind(p.Kind))
}

// Validate reports an error for a Process that NewVP, NewCLD and NewPSLD
// cannot have built: a Kind other than VP, CLD or PSLD, or a diffusion
// matrix D that is not diagonal. Packages that take a *Process from their
// callers (sampler, likelihood, exact) call it first, so that the methods
// that cannot return an error (Order, ReverseDrift, ProbabilityFlowDrift)
// never meet an unknown Kind.
func (p *Process) Validate() error {
	switch p.Kind {
	case VP, CLD, PSLD:
	default:
		return unknownKind(p.Kind)
	}
	if p.D.XV != 0 {
		return fmt.Errorf("sde: %v process with a non-diagonal diffusion D = %+v: every Kind has diagonal GGᵀ", p.Kind, p.D)
	}
	return nil
}

// unknownKind is the error for a Kind outside VP, CLD and PSLD.
func unknownKind(k Kind) error {
	return fmt.Errorf("sde: unknown SDE kind %v (valid: vp, cld, psld; build a Process with NewVP, NewCLD or NewPSLD)", k)
}

// Mass returns M (0 for VP).
func (p *Process) Mass() float64 {
	if p.MInv == 0 {
		return 0
	}
	return 1 / p.MInv
}

// Beta returns β(t).
func (p *Process) Beta(t float64) float64 { return p.Schedule.Beta(t) }

// InitialCov returns Σ₀ for objective o: diag(0, γM) for HSM, 0 for DSM. VP
// has no velocity, so both give 0.
func (p *Process) InitialCov(o Objective) Sym2 {
	if o == HSM && p.Order() == 2 {
		return Sym2{VV: p.InitVelVar * p.Mass()}
	}
	return Sym2{}
}

// Propagator returns Φ(t0 → t1) = exp((B(t1) − B(t0))·A), the mean map
// μ_{t1} = Φ μ_{t0}.
func (p *Process) Propagator(t0, t1 float64) Mat2 {
	return Expm(p.Schedule.Between(t0, t1), p.A)
}

// Cov returns the exact covariance at time t of the process started at time 0
// with covariance sigma0 (no numerical epsilon).
func (p *Process) Cov(t float64, sigma0 Sym2) Sym2 {
	_, s := gaussianFlow(p.A, p.D, p.Stationary, sigma0, p.Schedule.Integral(t))
	return s
}

// CovLyapunov returns Σ∞ + Φ(Σ₀ − Σ∞)Φᵀ, the closed form that is valid for
// any schedule (it loses relative precision ≈ 1e-16/Σˣˣ as t → 0).
func (p *Process) CovLyapunov(t float64, sigma0 Sym2) Sym2 {
	phi := Expm(p.Schedule.Integral(t), p.A)
	return p.Stationary.Add(phi.Sandwich(sigma0.Sub(p.Stationary)))
}

// SplitMatrix returns A_S = −A − D·Σ∞⁻¹, the drift of the linear part of the
// reverse-time SDE used by symmetric splitting samplers (SSCS): the reversed
// Hamiltonian part with the forward damping, so that it is stable and has
// the same stationary law Σ∞. The remainder of the reverse drift is
// β·D·(s + Σ∞⁻¹u).
func (p *Process) SplitMatrix() Mat2 {
	a := p.A.Scale(-1)
	a.XX -= p.D.XX / p.Stationary.XX
	if p.Order() == 2 {
		a.VV -= p.D.VV / p.Stationary.VV
	}
	return a
}

// SplitStep returns the exact mean map and covariance (from zero, plus
// NumericalEps on the diagonal) of the linear SSCS part over a reverse-time
// interval whose integrated β is h: the A-half-step of SSCS.
func (p *Process) SplitStep(h float64) (Mat2, Sym2) {
	phi, s := gaussianFlow(p.SplitMatrix(), p.D, p.Stationary, Sym2{}, h)
	s.XX += p.NumericalEps
	if p.Order() == 2 {
		s.VV += p.NumericalEps
	}
	return phi, s
}

// DriftCoefficients returns β(t)·A, the drift f(u, t) = β(t)A u per coordinate.
func (p *Process) DriftCoefficients(t float64) Mat2 { return p.A.Scale(p.Beta(t)) }

// DiffusionSq returns G(t)G(t)ᵀ = β(t)·D (diagonal for all three SDEs).
func (p *Process) DiffusionSq(t float64) Sym2 { return p.D.Scale(p.Beta(t)) }

// String describes p with all of its parameters.
func (p *Process) String() string {
	switch p.Kind {
	case VP:
		return fmt.Sprintf("vp(beta0=%g, beta1=%g, eps=%g)", p.Schedule.Beta0, p.Schedule.Beta1, p.NumericalEps)
	case CLD:
		return fmt.Sprintf("cld(beta0=%g, beta1=%g, M⁻¹=%g, Γ=%g, γ=%g, eps=%g)", p.Schedule.Beta0, p.Schedule.Beta1, p.MInv, p.Friction, p.InitVelVar, p.NumericalEps)
	case PSLD:
		return fmt.Sprintf("psld(beta0=%g, beta1=%g, Γ=%g, ν=%g, M⁻¹=%g, κ=%g, eps=%g)", p.Schedule.Beta0, p.Schedule.Beta1, p.Friction, p.Nu, p.MInv, p.InitVelVar, p.NumericalEps)
	}
	return fmt.Sprintf("%v(invalid process)", p.Kind)
}
