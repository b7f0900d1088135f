package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fma32 is float32's fused multiply-add. The float64 FMA is exact up to its
// one rounding and the float32 rounding after it differs from a single
// rounding only for a result within 2⁻²⁹ of a float32 tie: not with the
// fixed inputs of these tests.
func fma32(a, b, c float32) float32 {
	return float32(math.FMA(float64(a), float64(b), float64(c)))
}

// dotCanonical is the documented summation order of the dot-product
// kernels (dot_amd64.s), written out in Go.
func dotCanonical(a, b []float32) float32 {
	var s [16]float32
	k16 := len(a) / 16 * 16
	for p := 0; p < k16; p++ {
		s[p%16] = fma32(a[p], b[p], s[p%16])
	}
	for w := 8; w >= 1; w /= 2 {
		for l := 0; l < w; l++ {
			s[l] += s[l+w]
		}
	}
	sum := s[0]
	for p := k16; p < len(a); p++ {
		sum = fma32(a[p], b[p], sum)
	}
	return sum
}

// Products with few columns go through the dot-product path and give the
// same bits with the AVX-512 kernel as with the AVX2 one, and with one
// goroutine as with two.
func TestDotProductsDoNotDependOnKernelOrThreads(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2+FMA on this CPU or built with -tags noasm: the dot-product path is not in use")
	}
	r := rand.New(rand.NewPCG(23, 24))
	wide := wideKernel
	defer func() { wideKernel = wide }()
	defer SetThreads(Threads())
	for _, s := range [][3]int{{512, 2, 256}, {513, 3, 257}, {7, 4, 33}, {1, 1, 5}} {
		m, n, k := s[0], s[1], s[2]
		if !useDot(false, true, n, 1) {
			t.Fatalf("%v: not on the dot-product path", s)
		}
		a, b := randSlice(r, m*k), randSlice(r, n*k)
		c0 := randSlice(r, m*n)
		var first []float32
		for _, w := range []bool{wide, false} {
			for _, threads := range []int{1, 2} {
				wideKernel = w
				SetThreads(threads)
				c := append([]float32(nil), c0...)
				Sgemm(false, true, m, n, k, 1, a, k, b, k, 0.5, c, n)
				if first == nil {
					first = c
					continue
				}
				for i := range c {
					if c[i] != first[i] {
						t.Fatalf("%v (AVX-512 %v, %d goroutines): element %d: %v, first run %v", s, w, threads, i, c[i], first[i])
					}
				}
			}
		}
	}
}
