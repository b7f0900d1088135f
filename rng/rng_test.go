package rng

import "testing"

func TestStreamsAreReproducibleAndDistinct(t *testing.T) {
	a := New(7, PurposeData, 3).Float64()
	b := New(7, PurposeData, 3).Float64()
	if a != b {
		t.Fatalf("same seed and keys gave %v and %v", a, b)
	}
	seen := map[float64]bool{}
	for seed := uint64(0); seed < 4; seed++ {
		for i := uint64(0); i < 64; i++ {
			v := New(seed, PurposeData, i).Float64()
			if seen[v] {
				t.Fatalf("stream (seed %d, key %d) repeats an earlier first value", seed, i)
			}
			seen[v] = true
		}
	}
	if Key(1, 2, 3) == Key(1, 3, 2) {
		t.Fatal("key order must matter")
	}
}

// A reset Stream draws New's stream exactly, whatever it drew before.
func TestStreamResetEqualsNew(t *testing.T) {
	s := NewStream()
	for k := uint64(0); k < 20; k++ {
		s.Reset(9, PurposeTrainNoise, 3, k)
		r := New(9, PurposeTrainNoise, 3, k)
		for i := 0; i < int(k)+3; i++ {
			if a, b := s.NormFloat64(), r.NormFloat64(); a != b {
				t.Fatalf("key %d draw %d: stream %v, New %v", k, i, a, b)
			}
			if a, b := s.Float64(), r.Float64(); a != b {
				t.Fatalf("key %d draw %d: stream %v, New %v", k, i, a, b)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { s.Reset(1, 2, 3); s.Float64() }); n != 0 {
		t.Errorf("Reset and a draw allocate %v times", n)
	}
}
