package objective

import (
	"fmt"
	"sync"

	"phasespace/sde"
)

// Param selects how the network output is mapped to the score.
//
// ParamL is each process's own parameterisation (the default): VP predicts
// ε under σ_t (s = −ε_θ/σ_t), CLD only the velocity part, s_v = −ℓ_t·ε_θ
// (ℓ_t = sde.Kernel.Ell, plus −v/Σᵛᵛ with Config.MixedScore) and s_x = 0,
// PSLD ε under the HSM Cholesky factor L_t (s = −L_t⁻ᵀ ε_θ, the x part
// only when Γ > 0).
//
// ParamR learns the full ε under gDDIM's square root K_t = R_t of the
// perturbation covariance (Zhang, Tao & Chen, ICLR 2023, Eq. 17; see
// sde.RFactor and docs/method.md): for CLD and PSLD the network outputs
// (ε̂ˣ, ε̂ᵛ) per coordinate, 2d values, and
//
//	s = −R_t⁻ᵀ ε̂,   R_t R_tᵀ = Σ_t,
//
// so both the position and the velocity score are learned. R_t is the R
// factor of the HSM kernel (initial covariance diag(0, γM) for CLD,
// diag(0, κM) for PSLD) whatever the training objective, as ParamL uses
// the HSM Cholesky factor for PSLD and the HSM Σᵛᵛ for CLD's mixed score:
// the model describes the data's velocity law, which HSM assumes, and a
// DSM-trained model is read with the same map. Concretely R_t = L_t·Q(θ_t)
// with L_t the Cholesky factor of the HSM kernel covariance including
// Process.NumericalEps and θ_t the angle of sde.RFactor (R_t Rᵀ_t = Σ_t of
// Process.Kernel(t, HSM) exactly). For VP, R_t = σ_t and ParamR is the same
// model as ParamL (the output is already the full ε); the CLI accepts
// --param for CLD and PSLD only. ParamR excludes Config.MixedScore.
type Param int

const (
	// ParamL is the per-process parameterisation (the zero value's default).
	ParamL Param = iota + 1
	// ParamR is the full ε under gDDIM's R_t of the HSM kernel.
	ParamR
)

// String returns "L" or "R" ("Param(k)" for an unknown value).
func (p Param) String() string {
	switch p {
	case ParamL:
		return "L"
	case ParamR:
		return "R"
	}
	return fmt.Sprintf("Param(%d)", int(p))
}

// ParseParam maps "L" and "R" (or "l", "r") to a Param.
func ParseParam(s string) (Param, error) {
	switch s {
	case "L", "l":
		return ParamL, nil
	case "R", "r":
		return ParamR, nil
	}
	return 0, fmt.Errorf("objective: unknown parameterisation %q (valid: L, the per-SDE default; R, the full ε under gDDIM's R_t)", s)
}

// EffectiveParam is Param with 0 replaced by ParamL.
func (c *Config) EffectiveParam() Param { return c.param() }

func (c *Config) param() Param {
	if c.Param == 0 {
		return ParamL
	}
	return c.Param
}

// full reports whether the network outputs the full ε under R_t.
func (c *Config) full() bool { return c.param() == ParamR && c.Process.Order() == 2 }

// FullScore reports whether a model under c provides the whole score, the
// position and the velocity part, rather than only the velocity part: true
// for VP, for ParamR, and for PSLD with Γ > 0 (whose ParamL also predicts
// both parts); false for CLD under ParamL (and PSLD with Γ = 0), whose
// position score is 0 by construction. Samplers that need the full score
// (gDDIM's ε̂ = −R_tᵀ s) should refuse a model without it and ask for
// `phasespace train --param R`.
func (c *Config) FullScore() bool {
	switch c.Process.Kind {
	case sde.VP:
		return true
	case sde.CLD:
		return c.param() == ParamR
	case sde.PSLD:
		return c.param() == ParamR || c.Process.Friction > 0
	}
	panic(unknownKind(c.Process.Kind))
}

// rCache holds the HSM R factors of recently used processes (building one
// costs tens of milliseconds; sde.RFactor is immutable and safe to share).
var rCache struct {
	sync.Mutex
	entries []rCacheEntry
}

type rCacheEntry struct {
	p sde.Process // by value: equal parameters share one table
	f *sde.RFactor
}

const rCacheSize = 8

// hsmRFactor returns the HSM R factor of p, from the cache when possible.
func hsmRFactor(p *sde.Process) (*sde.RFactor, error) {
	rCache.Lock()
	defer rCache.Unlock()
	for i, e := range rCache.entries {
		if e.p == *p {
			if i > 0 { // most recently used first
				copy(rCache.entries[1:i+1], rCache.entries[:i])
				rCache.entries[0] = e
			}
			return e.f, nil
		}
	}
	f, err := p.NewRFactor(sde.HSM)
	if err != nil {
		return nil, err
	}
	if len(rCache.entries) < rCacheSize {
		rCache.entries = append(rCache.entries, rCacheEntry{})
	}
	copy(rCache.entries[1:], rCache.entries[:len(rCache.entries)-1])
	rCache.entries[0] = rCacheEntry{p: *p, f: f}
	return f, nil
}
