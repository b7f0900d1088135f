package nn

import "math"

// exp32 is a fast float32 exponential (relative error below 3e-7 on
// [−87, 88]; inputs outside are clamped) used by SiLU, softmax and sigmoid.
// It uses Cephes' expf polynomial evaluated in Estrin form for
// instruction-level parallelism.
func exp32(x float32) float32 {
	if x < -87 {
		x = -87
	}
	if x > 88 {
		x = 88
	}
	const log2e = 1.44269504088896341
	const ln2hi = 0.693359375
	const ln2lo = -2.12194440e-4
	const magic = 12582912 // 1.5·2²³: adding it rounds to an integer
	t := x*log2e + magic
	n := t - magic
	r := x - n*ln2hi - n*ln2lo
	r2 := r * r
	a := 5.0000001201e-1 + r*1.6666665459e-1
	b := 4.1665795894e-2 + r*8.3334519073e-3
	c := 1.3981999507e-3 + r*1.9875691500e-4
	p := (a+r2*(b+r2*c))*r2 + r + 1
	// The low mantissa bits of t hold n (two's complement), so adding them
	// to the exponent field of p scales by 2ⁿ.
	return math.Float32frombits(math.Float32bits(p) + (math.Float32bits(t)-0x4B400000)<<23)
}

// sigmoid32 returns 1/(1+e^-x).
func sigmoid32(x float32) float32 { return 1 / (1 + exp32(-x)) }

// useSIMD enables assembly kernels where the CPU supports them (tests turn
// it off to compare with the portable code).
var useSIMD = true
