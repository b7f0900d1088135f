package objective

import (
	"sync"

	"phasespace/sde"
)

// EffectiveParam is Param with 0 replaced by sde.FactorL.
func (c *Config) EffectiveParam() sde.Factor { return c.param() }

func (c *Config) param() sde.Factor {
	if c.Param == 0 {
		return sde.FactorL
	}
	return c.Param
}

// full reports whether the network outputs the full ε under R_t.
func (c *Config) full() bool { return c.param() == sde.FactorR && c.Process.Order() == 2 }

// FullScore reports whether a model under c provides the whole score, the
// position and the velocity part, rather than only the velocity part: true
// for VP, for sde.FactorR, and for PSLD with Γ > 0 (whose sde.FactorL also predicts
// both parts); false for CLD under sde.FactorL (and PSLD with Γ = 0), whose
// position score is 0 by construction. Samplers that need the full score
// (gDDIM's ε̂ = −R_tᵀ s) should refuse a model without it and ask for
// `phasespace train --param R`.
func (c *Config) FullScore() bool {
	switch c.Process.Kind {
	case sde.VP:
		return true
	case sde.CLD:
		return c.param() == sde.FactorR
	case sde.PSLD:
		return c.param() == sde.FactorR || c.Process.Friction > 0
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
