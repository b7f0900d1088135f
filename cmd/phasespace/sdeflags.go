package main

import (
	"errors"
	"flag"
	"math"
	"strconv"

	"phasespace/sde"
)

// sdeFlags holds the SDE flags shared by kernel, sample, eval and train.
// Numeric flags default to NaN, meaning "use the default of the chosen SDE"
// (the CIFAR-10 defaults of the papers); flags that do not apply to the
// chosen SDE are refused by checkFlags (applies.go).
type sdeFlags struct {
	name                   string
	beta0, beta1           float64
	mInv, bigGamma, nu     float64
	gamma, eps             float64
	objective              string
	fs                     *flag.FlagSet
	defaultSDE, defaultObj string
}

func addSDEFlags(fs *flag.FlagSet, defaultSDE string) *sdeFlags {
	f := &sdeFlags{fs: fs, defaultSDE: defaultSDE}
	for _, p := range []*float64{&f.beta0, &f.beta1, &f.mInv, &f.bigGamma, &f.nu, &f.gamma, &f.eps} {
		*p = math.NaN()
	}
	fs.StringVar(&f.name, "sde", defaultSDE, "diffusion: cld, psld or vp")
	fs.Var((*optFloat)(&f.beta0), "beta0", "β(t) intercept (default: cld 4, psld 8, vp 0.1 = β_min)")
	fs.Var((*optFloat)(&f.beta1), "beta1", "β(t) slope (default: cld 0, psld 0, vp 19.9 = β_max − β_min)")
	fs.Var((*optFloat)(&f.mInv), "m-inv", "inverse mass M⁻¹ (cld default 4; psld: derived as (Γ−ν)²/4)")
	fs.Var((*optFloat)(&f.bigGamma), "Gamma", "friction Γ (cld: derived 2/√M⁻¹, must be critical if given; psld default 0.01)")
	fs.Var((*optFloat)(&f.nu), "nu", "psld momentum friction ν (default Γ + 4)")
	fs.Var((*optFloat)(&f.gamma), "gamma", "initial velocity variance factor γ (cld) or κ (psld): Σ₀ᵛᵛ = γM (default 0.04)")
	fs.Var((*optFloat)(&f.eps), "numerical-eps", "added to the kernel's Σˣˣ and Σᵛᵛ (default: cld/psld 1e-9, vp 0)")
	fs.StringVar(&f.objective, "objective", "", "kernel initial condition: hsm or dsm (default hsm; vp: dsm)")
	return f
}

func (f *sdeFlags) given() map[string]bool {
	g := map[string]bool{}
	f.fs.Visit(func(fl *flag.Flag) { g[fl.Name] = true })
	return g
}

func orDefault(v, d float64) float64 {
	if math.IsNaN(v) {
		return d
	}
	return v
}

// checkFinite reports a usage error for a given flag whose value is NaN or ±Inf.
func checkFinite(name string, v float64, given bool) error {
	if given && (math.IsNaN(v) || math.IsInf(v, 0)) {
		return usagef("--%s = %v: want a finite number", name, v)
	}
	return nil
}

// kind parses --sde.
func (f *sdeFlags) kind() (sde.Kind, error) {
	k, err := sde.ParseKind(f.name)
	if err != nil {
		return 0, usagef("--sde: %v", err)
	}
	return k, nil
}

// build validates the flags and returns the process and objective. Flags
// that do not apply to the chosen SDE are the caller's to refuse, with
// checkFlags (applies.go); build ignores them.
func (f *sdeFlags) build() (*sde.Process, sde.Objective, error) {
	kind, err := f.kind()
	if err != nil {
		return nil, 0, err
	}
	g := f.given()
	for name, v := range map[string]float64{"beta0": f.beta0, "beta1": f.beta1, "m-inv": f.mInv, "Gamma": f.bigGamma, "nu": f.nu, "gamma": f.gamma, "numerical-eps": f.eps} {
		if err := checkFinite(name, v, g[name]); err != nil {
			return nil, 0, err
		}
	}
	objName := f.objective
	if objName == "" {
		objName = "hsm"
		if kind == sde.VP {
			objName = "dsm"
		}
	}
	obj, err := sde.ParseObjective(objName)
	if err != nil {
		return nil, 0, usagef("--objective: %v", err)
	}
	var p *sde.Process
	switch kind {
	case sde.VP:
		if obj == sde.HSM {
			return nil, 0, usagef("--objective hsm needs a velocity: valid for cld and psld; vp uses dsm")
		}
		b0 := orDefault(f.beta0, sde.DefaultVP.BetaMin)
		b1 := orDefault(f.beta1, sde.DefaultVP.BetaMax-sde.DefaultVP.BetaMin)
		p, err = sde.NewVP(sde.VPConfig{BetaMin: b0, BetaMax: b0 + b1, NumericalEps: orDefault(f.eps, 0)})
	case sde.CLD:
		d := sde.DefaultCLD
		minv := orDefault(f.mInv, d.MInv)
		if g["Gamma"] {
			if !(f.bigGamma > 0) {
				return nil, 0, usagef("--Gamma = %v: want > 0", f.bigGamma)
			}
			crit := 4 / (f.bigGamma * f.bigGamma)
			if !g["m-inv"] {
				minv = crit
			} else if math.Abs(minv-crit) > 1e-12*crit {
				return nil, 0, usagef("--Gamma %v with --m-inv %v is not critically damped: CLD needs Γ² = 4M, i.e. M⁻¹ = 4/Γ² = %v (omit --Gamma; it is derived)", f.bigGamma, minv, crit)
			}
		}
		p, err = sde.NewCLD(sde.CLDConfig{
			Schedule:     sde.Schedule{Beta0: orDefault(f.beta0, d.Schedule.Beta0), Beta1: orDefault(f.beta1, d.Schedule.Beta1)},
			MInv:         minv,
			Gamma:        orDefault(f.gamma, d.Gamma),
			NumericalEps: orDefault(f.eps, d.NumericalEps),
		})
	case sde.PSLD:
		d := sde.DefaultPSLD
		bg := orDefault(f.bigGamma, d.Gamma)
		nu := f.nu
		if math.IsNaN(nu) {
			if g["m-inv"] {
				if !(f.mInv > 0) {
					return nil, 0, usagef("--m-inv = %v: want > 0", f.mInv)
				}
				nu = bg + 2*math.Sqrt(f.mInv)
			} else {
				nu = bg + 4
			}
		} else if g["m-inv"] {
			crit := (bg - nu) * (bg - nu) / 4
			if math.Abs(f.mInv-crit) > 1e-12*math.Max(crit, 1e-300) {
				return nil, 0, usagef("--m-inv %v with --Gamma %v --nu %v is not critically damped: PSLD needs M⁻¹ = (Γ−ν)²/4 = %v (omit --m-inv; it is derived)", f.mInv, bg, nu, crit)
			}
		}
		p, err = sde.NewPSLD(sde.PSLDConfig{
			Schedule:     sde.Schedule{Beta0: orDefault(f.beta0, d.Schedule.Beta0), Beta1: orDefault(f.beta1, d.Schedule.Beta1)},
			Gamma:        bg,
			Nu:           nu,
			Kappa:        orDefault(f.gamma, d.Kappa),
			NumericalEps: orDefault(f.eps, d.NumericalEps),
		})
	}
	if err != nil {
		return nil, 0, usageError{err}
	}
	return p, obj, nil
}

// processJSON describes a process's parameters for JSON output.
func processJSON(p *sde.Process) map[string]any {
	m := map[string]any{
		"sde":           p.Kind.String(),
		"beta0":         p.Schedule.Beta0,
		"beta1":         p.Schedule.Beta1,
		"numerical_eps": p.NumericalEps,
		"T":             p.T,
	}
	if p.Order() == 2 {
		m["m_inv"] = p.MInv
		m["Gamma"] = p.Friction
		m["gamma"] = p.InitVelVar
	}
	if p.Kind == sde.PSLD {
		m["nu"] = p.Nu
	}
	return m
}

// optFloat is a float64 flag whose unset state is NaN ("use the SDE's
// default"); it prints no default in the usage text.
type optFloat float64

func (o *optFloat) String() string {
	if o == nil || math.IsNaN(float64(*o)) {
		return "0" // the zero value's text: the usage shows no default
	}
	return strconv.FormatFloat(float64(*o), 'g', -1, 64)
}

func (o *optFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("parse error")
	}
	*o = optFloat(v)
	return nil
}
