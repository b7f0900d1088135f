package objective

import (
	"math/rand/v2"

	"phasespace/rng"
)

func newTestRand(k uint64) *rand.Rand { return rng.New(1234, rng.PurposeEval, k) }
