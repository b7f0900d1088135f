package main

import (
	"errors"
	"flag"
	"math"
	"strconv"

	"phasespace/model"
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

// kind parses --sde.
func (f *sdeFlags) kind() (sde.Kind, error) {
	k, err := sde.ParseKind(f.name)
	if err != nil {
		return 0, usagef("--sde: %v", err)
	}
	return k, nil
}

// build returns the process (model.SDESpec of the given flags) and the
// objective. Flags that do not apply to the chosen SDE are the caller's to
// refuse, with checkFlags (applies.go); build ignores them.
func (f *sdeFlags) build() (*sde.Process, sde.Objective, error) {
	kind, err := f.kind()
	if err != nil {
		return nil, 0, err
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
	if kind == sde.VP && obj == sde.HSM {
		return nil, 0, usagef("--objective hsm needs a velocity: valid for cld and psld; vp uses dsm")
	}
	g := f.given()
	opt := func(name string, v float64) *float64 {
		if g[name] || !math.IsNaN(v) { // NaN: not given, the SDE's default
			return model.Float(v)
		}
		return nil
	}
	p, err := model.SDESpec{Kind: kind, Beta0: opt("beta0", f.beta0), Beta1: opt("beta1", f.beta1), MInv: opt("m-inv", f.mInv),
		Friction: opt("Gamma", f.bigGamma), Nu: opt("nu", f.nu), InitVelVar: opt("gamma", f.gamma), NumericalEps: opt("numerical-eps", f.eps)}.Process()
	if err != nil {
		return nil, 0, usageError{err}
	}
	return p, obj, nil
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
