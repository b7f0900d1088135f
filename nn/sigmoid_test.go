package nn

import (
	"math"
	"testing"
)

func TestSigmoidSlice(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 64, 1003} {
		x := randSlice(newRand(3, uint64(n)), n, 30)
		if n > 3 {
			x[0], x[1], x[2] = -1000, 1000, 0
		}
		y := make([]float32, n)
		sigmoidSlice(y, x)
		for i, v := range x {
			want := 1 / (1 + math.Exp(-float64(v)))
			if math.Abs(float64(y[i])-want) > 4e-7*want+1e-30 || y[i] != y[i] {
				t.Fatalf("n=%d: sigmoid(%v) = %v, want %v", n, v, y[i], want)
			}
		}
	}
	t.Logf("AVX2 kernel in use: %v", hasAVX2 && useSIMD)
}

func BenchmarkSigmoidSlice(b *testing.B) {
	x := randSlice(newRand(1, 1), 4096, 3)
	y := make([]float32, len(x))
	for i := 0; i < b.N; i++ {
		sigmoidSlice(y, x)
	}
}
