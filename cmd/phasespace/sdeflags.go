package main

import (
	"errors"
	"flag"
	"strconv"

	"phasespace/exact"
	"phasespace/model"
	"phasespace/objective"
	"phasespace/sde"
	"phasespace/toy"
)

// sdeFlags holds the SDE flags shared by kernel, sample, eval and train:
// the numeric flags fill a model.SDESpec, whose unset (nil) parameters take
// the chosen SDE's defaults (the CIFAR-10 defaults of the papers); flags
// that do not apply to the chosen SDE are refused by checkFlags
// (applies.go).
type sdeFlags struct {
	name, objective string
	spec            model.SDESpec
	fs              *flag.FlagSet
}

func addSDEFlags(fs *flag.FlagSet, defaultSDE string) *sdeFlags {
	f := &sdeFlags{fs: fs}
	opt := func(p **float64, name, usage string) {
		fs.Func(name, usage, func(s string) error {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return errors.New("parse error")
			}
			*p = &v
			return nil
		})
	}
	fs.StringVar(&f.name, "sde", defaultSDE, "diffusion: cld, psld or vp")
	opt(&f.spec.Beta0, "beta0", "β(t) intercept (default: cld 4, psld 8, vp 0.1 = β_min)")
	opt(&f.spec.Beta1, "beta1", "β(t) slope (default: cld 0, psld 0, vp 19.9 = β_max − β_min)")
	opt(&f.spec.MInv, "m-inv", "inverse mass M⁻¹ (cld default 4; psld: derived as (Γ−ν)²/4)")
	opt(&f.spec.Friction, "Gamma", "friction Γ (cld: derived 2/√M⁻¹, must be critical if given; psld default 0.01)")
	opt(&f.spec.Nu, "nu", "psld momentum friction ν (default Γ + 4)")
	opt(&f.spec.InitVelVar, "gamma", "initial velocity variance factor γ (cld) or κ (psld): Σ₀ᵛᵛ = γM (default 0.04)")
	opt(&f.spec.NumericalEps, "numerical-eps", "added to the kernel's Σˣˣ and Σᵛᵛ (default: cld/psld 1e-9, vp 0)")
	fs.StringVar(&f.objective, "objective", "", "kernel initial condition: hsm or dsm (default hsm; vp: dsm)")
	return f
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
	spec := f.spec
	spec.Kind = kind
	p, err := spec.Process()
	if err != nil {
		return nil, 0, usageError{err}
	}
	obj, err := objective.ObjectiveFor(p, f.objective)
	if err != nil {
		return nil, 0, usagef("--objective: %v", err)
	}
	return p, obj, nil
}

// exactScore returns the process of the flags and the exact score of the
// mixture data set name (--exact).
func (f *sdeFlags) exactScore(name string) (*sde.Process, *exact.Oracle, error) {
	mix, ok := toy.Mixture(name)
	if !ok {
		return nil, nil, usagef("--exact %q: the exact score exists for 8gaussians, diamond and gaussian", name)
	}
	p, _, err := f.build()
	if err != nil {
		return nil, nil, err
	}
	o, err := exact.New(p, mix)
	return p, o, err
}
