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

// TestSIMDMatchesPortable runs Adam/AdamW and the SiLU gradient with the
// assembly kernels on and off and compares the results.
func TestSIMDMatchesPortable(t *testing.T) {
	run := func(simd, decoupled bool) ([]float32, []float32) {
		saved := useSIMD
		useSIMD = simd
		defer func() { useSIMD = saved }()
		r := newRand(4, 4)
		p := newParam("p", 37)
		copy(p.Data, randSlice(r, 37, 1))
		opt := NewAdam(0.01)
		if decoupled {
			opt = NewAdamW(0.01, 0.1)
		}
		for s := 0; s < 4; s++ {
			copy(p.Grad, randSlice(r, 37, 1))
			opt.Step([]*Param{p})
		}
		dy, z := randSlice(r, 37, 1), randSlice(r, 37, 3)
		sg := make([]float32, 37)
		sigmoidSlice(sg, z)
		dz := make([]float32, 37)
		siluGrad(dz, dy, z, sg)
		return p.Data, dz
	}
	for _, dec := range []bool{false, true} {
		a, da := run(true, dec)
		b, db := run(false, dec)
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-6 {
				t.Errorf("decoupled=%v: Adam θ[%d]: SIMD %v, portable %v", dec, i, a[i], b[i])
			}
			if math.Abs(float64(da[i]-db[i])) > 1e-6*(1+math.Abs(float64(db[i]))) {
				t.Errorf("siluGrad[%d]: SIMD %v, portable %v", i, da[i], db[i])
			}
		}
	}
}
