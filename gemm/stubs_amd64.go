//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// kern6x16AVX2 adds the product of a packed 6×kc A panel and a packed kc×16
// B panel into C (row stride ldc): for r < 6, j < 16,
//
//	c[r*ldc+j] += Σ_p a[6p+r] * b[16p+j]
//
//go:noescape
func kern6x16AVX2(kc int, a, b, c *float32, ldc int)

// useAsm is true when the CPU has AVX2 and FMA.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

func kernel(kc int, a, b, c []float32, ldc int) {
	if useAsm {
		kern6x16AVX2(kc, &a[0], &b[0], &c[0], ldc)
		return
	}
	kernelGo(kc, a, b, c, ldc)
}
