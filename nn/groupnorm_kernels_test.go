package nn

import "testing"

// The GroupNorm loops give the same bits with the AVX2 kernels as with the
// portable code, whole groups of eight and tails alike; without AVX2 the
// comparison is of the portable code with itself and says so.
func TestGroupNormKernelsMatchPortable(t *testing.T) {
	if !hasAVX2 {
		t.Log("no AVX2: only the portable GroupNorm loops are in use")
	}
	saved := useSIMD
	defer func() { useSIMD = saved }()
	r := newRand(9, 9)
	type out struct {
		s, q, sa, sd, sa2, sd2 float32
		y, m, d, d2, dx        []float32
	}
	run := func(simd bool, n int, x, dy, sg []float32) out {
		useSIMD = simd
		var o out
		o.s, o.q = gnStats(x, 0.3)
		o.y = make([]float32, n)
		gnAffine(o.y, x, 1.7, -0.2)
		o.m = append([]float32(nil), o.y...)
		mulInPlace(o.m, sg)
		c := [4]float32{1.3, 0.1, 0.05, 2.1}
		o.d = make([]float32, n)
		o.sa, o.sd = gnBack(o.d, dy, x, sg, &c, true)
		o.d2 = make([]float32, n)
		o.sa2, o.sd2 = gnBack(o.d2, dy, x, nil, &c, false)
		o.dx = append([]float32(nil), o.d...)
		k := [8]float32{0.05, 2.1, 0.8, 0.01, -0.3}
		gnDx(o.dx, x, &k)
		return o
	}
	for _, n := range []int{1, 7, 8, 9, 49, 196, 784} {
		x, dy := randSlice(r, n, 2), randSlice(r, n, 1)
		sg := make([]float32, n)
		sigmoidSlice(sg, x)
		a, b := run(true, n, x, dy, sg), run(false, n, x, dy, sg)
		if a.s != b.s || a.q != b.q || a.sa != b.sa || a.sd != b.sd || a.sa2 != b.sa2 || a.sd2 != b.sd2 {
			t.Fatalf("n=%d: sums differ: SIMD %v, portable %v", n, []float32{a.s, a.q, a.sa, a.sd, a.sa2, a.sd2}, []float32{b.s, b.q, b.sa, b.sd, b.sa2, b.sd2})
		}
		for name, p := range map[string][2][]float32{"affine": {a.y, b.y}, "mul": {a.m, b.m}, "back silu": {a.d, b.d}, "back": {a.d2, b.d2}, "dx": {a.dx, b.dx}} {
			for i := range p[0] {
				if p[0][i] != p[1][i] {
					t.Fatalf("n=%d %s[%d]: SIMD %v, portable %v", n, name, i, p[0][i], p[1][i])
				}
			}
		}
		// The plain backward copies dy.
		for i := range dy {
			if a.d2[i] != dy[i] {
				t.Fatalf("n=%d: plain backward d[%d] = %v, want dy = %v", n, i, a.d2[i], dy[i])
			}
		}
	}
}
