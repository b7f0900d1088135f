//go:build !noasm

package gemm

import (
	"math/rand/v2"
	"testing"
)

// Both dot-product kernels give, bit for bit, the canonical order: a
// product with few columns has the same bits on AVX2 and AVX-512 CPUs.
func TestDotKernelsMatchCanonicalOrder(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2+FMA on this CPU or built with -tags noasm: the dot-product kernels are not in use")
	}
	r := rand.New(rand.NewPCG(21, 22))
	type kern struct {
		name string
		rows int
		f    func(k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, ow int)
	}
	kerns := []kern{{"dot2x2AVX2", 2, func(k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, ow int) {
		dot2x2AVX2(k, &a[0], lda, &b[0], ldb, &c[0], ldc, ow)
	}}}
	if wideKernel {
		kerns = append(kerns, kern{"dot4x2AVX512", 4, func(k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, ow int) {
			dot4x2AVX512(k, &a[0], lda, &b[0], ldb, &c[0], ldc, ow)
		}})
	} else {
		t.Log("no AVX-512F: only the AVX2 kernel is checked")
	}
	for _, k := range []int{1, 15, 16, 17, 48, 256, 263} {
		const lda, ldb, ldc = 300, 280, 5
		a, b := randSlice(r, 4*lda), randSlice(r, 2*ldb)
		for _, kn := range kerns {
			for _, ow := range []int{0, 1} {
				c := randSlice(r, kn.rows*ldc)
				c0 := append([]float32(nil), c...)
				kn.f(k, a, lda, b, ldb, c, ldc, ow)
				for i := range c {
					row, col := i/ldc, i%ldc
					want := c0[i]
					if col < 2 {
						d := dotCanonical(a[row*lda:row*lda+k], b[col*ldb:col*ldb+k])
						if ow == 1 {
							want = d
						} else {
							want += d
						}
					}
					if c[i] != want {
						t.Fatalf("%s k=%d overwrite=%d: row %d column %d: %v, canonical order %v", kn.name, k, ow, row, col, c[i], want)
					}
				}
			}
		}
	}
}
