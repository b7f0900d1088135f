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
