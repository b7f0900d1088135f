// Package rng derives reproducible, independent random streams from a seed
// and integer keys (sample index, step, stream purpose), so that a sample's
// randomness does not depend on batch size, batching order or parallelism.
package rng

import "math/rand/v2"

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64; it is a
// bijection of uint64 with good avalanche, used here to mix keys.
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Key mixes a seed and a sequence of keys into one 64-bit value. Different key
// sequences give (with overwhelming probability) unrelated values.
func Key(seed uint64, keys ...uint64) uint64 {
	h := splitmix64(seed ^ 0x6a09e667f3bcc908)
	for _, k := range keys {
		h = splitmix64(h ^ splitmix64(k+0x3c6ef372fe94f82b))
	}
	return h
}

// New returns a generator whose stream is determined by seed and keys alone.
func New(seed uint64, keys ...uint64) *rand.Rand {
	h := Key(seed, keys...)
	return rand.New(rand.NewPCG(h, splitmix64(h^0xa54ff53a5f1d36f1)))
}

// Purposes used as the first key so that streams drawn for different jobs from
// one user seed never coincide.
const (
	PurposeData uint64 = iota + 1
	PurposePrior
	PurposeSamplerNoise
	PurposeVelocity
	PurposeTrainBatch
	PurposeTrainTime
	PurposeTrainNoise
	PurposeHutchinson
	PurposeInit
	PurposeDropout
	PurposeEval
	PurposeSplit // held-out splits of a data file
)

// Stream is a reusable generator for the streams of New: Reset makes it
// produce exactly the stream of New(seed, keys...) without allocating, so a
// loop over many keys (one stream per sample) needs one Stream per
// goroutine instead of one generator per key.
type Stream struct {
	pcg rand.PCG
	*rand.Rand
}

// NewStream returns a Stream; call Reset before drawing from it.
func NewStream() *Stream {
	s := &Stream{}
	s.Rand = rand.New(&s.pcg)
	return s
}

// Reset restarts s at the stream of New(seed, keys...).
func (s *Stream) Reset(seed uint64, keys ...uint64) {
	h := Key(seed, keys...)
	s.pcg.Seed(h, splitmix64(h^0xa54ff53a5f1d36f1))
}
