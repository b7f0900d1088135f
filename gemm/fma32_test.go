package gemm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// fma32Exact is a·b + c rounded once to float32 (to nearest, ties to
// even), computed with exact big.Float arithmetic.
func fma32Exact(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

// The Go kernel's fused multiply-add rounds once, as the FMA instruction
// does: against exact arithmetic on random operands of many magnitudes and
// on sums that float64 rounds onto a float32 tie (where rounding the
// float64 FMA to float32 is wrong).
func TestFMA32RoundsOnce(t *testing.T) {
	// 8(1+2⁻²³)·8(1−2⁻²³) = 2⁶ − 2⁻⁴⁰; c = 2³⁰+2⁷ (odd last bit): the sum
	// is just below the tie c + 2⁶, which float64 rounds onto.
	p, m := float32(8*(1+0x1p-23)), float32(8*(1-0x1p-23))
	ties := [][3]float32{{p, m, 0x1p30 + 0x1p7}, {-p, m, -(0x1p30 + 0x1p7)}, {p, -m, 0x1p30 + 0x1p7 + 0x1p8}}
	for _, tc := range ties {
		a, b, c := tc[0], tc[1], tc[2]
		want := fma32Exact(a, b, c)
		if got := fma32(a, b, c); got != want {
			t.Fatalf("fma32(%v, %v, %v) = %v, exact %v", a, b, c, got, want)
		}
		if naive := float32(math.FMA(float64(a), float64(b), float64(c))); naive == want && tc == ties[0] {
			t.Fatalf("the tie case does not tie: the float64 FMA rounded to float32 gives %v as well", naive)
		}
	}
	r := rand.New(rand.NewPCG(71, 72))
	for i := 0; i < 200000; i++ {
		a := float32(r.NormFloat64() * math.Ldexp(1, r.IntN(60)-30))
		b := float32(r.NormFloat64() * math.Ldexp(1, r.IntN(60)-30))
		c := float32(r.NormFloat64() * math.Ldexp(1, r.IntN(80)-40))
		if got, want := fma32(a, b, c), fma32Exact(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%v, %v, %v) = %v, exact %v", a, b, c, got, want)
		}
	}
}
