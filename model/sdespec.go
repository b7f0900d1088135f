package model

import (
	"fmt"
	"math"

	"phasespace/sde"
)

// SDESpec describes a forward process by its kind and optional parameters.
// A nil parameter takes the kind's default (sde.DefaultVP(), sde.DefaultCLD(),
// sde.DefaultPSLD()); a parameter that critical damping derives may be given
// only with the value it derives. Parameters that the kind does not have
// are ignored (the caller refuses them if it wants to). Setting names in
// errors are those of docs/ ("beta0", "m-inv", "Gamma", "nu", "gamma",
// "numerical-eps").
type SDESpec struct {
	Kind sde.Kind // 0: CLD
	// Beta0 and Beta1 are β(t)'s intercept and slope (VP: β_min and
	// β_max − β_min).
	Beta0, Beta1 *float64
	// MInv is CLD's M⁻¹; PSLD derives it as (Γ−ν)²/4.
	MInv *float64
	// Friction is PSLD's Γ; CLD derives it as 2/√M⁻¹ (critical damping,
	// Dockhorn et al. 2022, Eq. 5), and a given Γ sets M⁻¹ = 4/Γ².
	Friction *float64
	// Nu is PSLD's ν (default Γ + 4, or Γ + 2√M⁻¹ when M⁻¹ is given).
	Nu *float64
	// InitVelVar is CLD's γ or PSLD's κ: Σ₀ᵛᵛ = γM.
	InitVelVar   *float64
	NumericalEps *float64
}

// Float returns a pointer to v, for SDESpec's fields.
func Float(v float64) *float64 { return &v }

func or(p *float64, d float64) float64 {
	if p == nil {
		return d
	}
	return *p
}

// Process validates the spec and builds the process.
func (s SDESpec) Process() (*sde.Process, error) {
	for _, f := range []struct {
		name string
		v    *float64
	}{{"beta0", s.Beta0}, {"beta1", s.Beta1}, {"m-inv", s.MInv}, {"Gamma", s.Friction}, {"nu", s.Nu}, {"gamma", s.InitVelVar}, {"numerical-eps", s.NumericalEps}} {
		if f.v != nil && (math.IsNaN(*f.v) || math.IsInf(*f.v, 0)) {
			return nil, fmt.Errorf("model: %s = %v: want a finite number", f.name, *f.v)
		}
	}
	kind := s.Kind
	if kind == 0 {
		kind = sde.CLD
	}
	var p *sde.Process
	var err error
	switch kind {
	case sde.VP:
		d := sde.DefaultVP()
		b0 := or(s.Beta0, d.BetaMin)
		b1 := or(s.Beta1, d.BetaMax-d.BetaMin)
		p, err = sde.NewVP(sde.VPConfig{BetaMin: b0, BetaMax: b0 + b1, NumericalEps: or(s.NumericalEps, 0)})
	case sde.CLD:
		d := sde.DefaultCLD()
		minv := or(s.MInv, d.MInv)
		if s.Friction != nil {
			g := *s.Friction
			if !(g > 0) {
				return nil, fmt.Errorf("model: Gamma = %v: want > 0", g)
			}
			crit := 4 / (g * g)
			if s.MInv == nil {
				minv = crit
			} else if math.Abs(minv-crit) > 1e-12*crit {
				return nil, fmt.Errorf("model: SDESpec.Friction (Γ) %v with MInv %v is not critically damped: CLD needs Γ² = 4M, i.e. M⁻¹ = 4/Γ² = %v (leave Friction nil; it is derived)", g, minv, crit)
			}
		}
		p, err = sde.NewCLD(sde.CLDConfig{
			Schedule: sde.Schedule{Beta0: or(s.Beta0, d.Schedule.Beta0), Beta1: or(s.Beta1, d.Schedule.Beta1)},
			MInv:     minv, Gamma: or(s.InitVelVar, d.Gamma), NumericalEps: or(s.NumericalEps, d.NumericalEps),
		})
	case sde.PSLD:
		d := sde.DefaultPSLD()
		bg := or(s.Friction, d.Gamma)
		var nu float64
		switch {
		case s.Nu == nil && s.MInv != nil:
			if !(*s.MInv > 0) {
				return nil, fmt.Errorf("model: SDESpec.MInv = %v: want > 0", *s.MInv)
			}
			nu = bg + 2*math.Sqrt(*s.MInv)
		case s.Nu == nil:
			nu = bg + 4
		default:
			nu = *s.Nu
			if s.MInv != nil {
				crit := (bg - nu) * (bg - nu) / 4
				if math.Abs(*s.MInv-crit) > 1e-12*math.Max(crit, 1e-300) {
					return nil, fmt.Errorf("model: SDESpec.MInv %v with Friction (Γ) %v, Nu %v is not critically damped: PSLD needs M⁻¹ = (Γ−ν)²/4 = %v (leave MInv nil; it is derived)", *s.MInv, bg, nu, crit)
				}
			}
		}
		p, err = sde.NewPSLD(sde.PSLDConfig{
			Schedule: sde.Schedule{Beta0: or(s.Beta0, d.Schedule.Beta0), Beta1: or(s.Beta1, d.Schedule.Beta1)},
			Gamma:    bg, Nu: nu, Kappa: or(s.InitVelVar, d.Kappa), NumericalEps: or(s.NumericalEps, d.NumericalEps),
		})
	default:
		return nil, fmt.Errorf("model: unknown SDE kind %v (valid: vp, cld, psld)", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return p, nil
}
