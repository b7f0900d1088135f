package sde

import "fmt"

// Factor names a square root K_t of the perturbation-kernel covariance Σ_t
// (K_t K_tᵀ = Σ_t) through which a score is written as s = −K_t⁻ᵀ ε. It is
// the one choice behind two settings: what a network predicts
// (objective.Config.Param) and what gDDIM extrapolates
// (sampler.Config.Param). The zero value means "the setting's default",
// which each of those documents.
type Factor int

const (
	// FactorL is the lower Cholesky factor L_t of Σ_t (Kernel.L). As a
	// network parameterisation it stands for each process's own one: VP's
	// ε under σ_t, CLD's velocity-only ε, PSLD's ε under the HSM L_t.
	FactorL Factor = iota + 1
	// FactorR is gDDIM's R_t (RFactor; Zhang, Tao & Chen, ICLR 2023):
	// dR/dt = F R + ½GGᵀR⁻ᵀ with R Rᵀ = Σ_t, for which ε is constant along
	// the probability-flow ODE when the data are one point.
	FactorR
)

// String returns "L" or "R" ("Factor(k)" for an unknown value).
func (f Factor) String() string {
	switch f {
	case FactorL:
		return "L"
	case FactorR:
		return "R"
	}
	return fmt.Sprintf("Factor(%d)", int(f))
}

// ParseFactor maps "L" and "R" (or "l", "r") to a Factor. Any other string
// is an error naming the valid values.
func ParseFactor(s string) (Factor, error) {
	switch s {
	case "L", "l":
		return FactorL, nil
	case "R", "r":
		return FactorR, nil
	}
	return 0, fmt.Errorf("sde: unknown parameterisation %q (valid: L, each SDE's default, through the Cholesky factor L_t; R, the full ε under gDDIM's R_t)", s)
}
