package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Rows with the same time (a sampler's batch) reuse the previous row's
// embedding: every row must still equal that time embedded alone, for runs
// of equal times, −0 after +0 (equal as numbers, different sines) and NaN,
// at 1 and 2 goroutines.
func TestTimeEmbeddingRepeatedTimes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	negZero := float32(math.Copysign(0, -1))
	ts := []float32{0.25, 0.25, 0.25, 0.5, 0, negZero, negZero, float32(math.NaN()), float32(math.NaN()), 0.5}
	for len(ts) < 300 {
		ts = append(ts, ts[len(ts)%10])
	}
	for _, kind := range []string{EmbedSinusoidal, EmbedFourier} {
		for _, logTime := range []bool{false, true} {
			e, err := NewTimeEmbedding("temb", kind, 16, logTime, 30, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			for _, procs := range []int{1, 2} {
				runtime.GOMAXPROCS(procs)
				all := append([]float32(nil), e.Forward(ts, len(ts))...)
				for b, tb := range ts {
					one := e.Forward([]float32{tb}, 1)
					for i := range one {
						if math.Float32bits(one[i]) != math.Float32bits(all[b*16+i]) {
							t.Fatalf("%s log %v, %d goroutines: row %d (t = %v) element %d = %v, alone %v", kind, logTime, procs, b, tb, i, all[b*16+i], one[i])
						}
					}
				}
			}
		}
	}
}
