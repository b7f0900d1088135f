//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// kern6x16AVX2 adds the product of a 6×kc A panel (strides sp between
// columns p, sr between rows, in floats) and a kc×16 B panel (sb floats
// between rows: 16 when packed) into C (row stride ldc): for r < 6, j < 16,
//
//	c[r*ldc+j] += Σ_p a[sp*p+sr*r] * b[sb*p+j]
//
// or, with overwrite ≠ 0, c[r*ldc+j] = Σ_p ….
//
//go:noescape
func kern6x16AVX2(kc int, a *float32, sp, sr int, b *float32, sb int, c *float32, ldc, overwrite int)

// kern6x32AVX512 is kern6x16AVX2 for two B panels, the second bo floats
// after the first, with 512-bit vectors: the 6×32 tile, each element summed
// exactly as kern6x16AVX2 sums it.
//
//go:noescape
func kern6x32AVX512(kc int, a *float32, sp, sr int, b *float32, sb, bo int, c *float32, ldc, overwrite int)

// useAsm is true when the CPU has AVX2 and FMA.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// wideKernel is true when the 6×32 AVX-512 kernel is in use (the CPU and OS
// support AVX-512F); tiles then take two B panels per call.
var wideKernel = useAsm && cpu.X86.HasAVX512F

// kernel2 is kernel for the 6×32 tile of two B panels, the second bo
// floats after the first (rows sb floats apart in both): the same results as
// two kernel calls.
func kernel2(kc int, a []float32, sp, sr int, b []float32, sb, bo int, c []float32, ldc int, overwrite bool) {
	if !wideKernel {
		kernel(kc, a, sp, sr, b, sb, c, ldc, overwrite)
		kernel(kc, a, sp, sr, b[bo:], sb, c[nr:], ldc, overwrite)
		return
	}
	if kc > 0 {
		// Bounds the assembly relies on.
		_, _, _ = a[(kc-1)*sp+(mr-1)*sr], b[(kc-1)*sb+bo+nr-1], c[(mr-1)*ldc+2*nr-1]
	}
	kern6x32AVX512(kc, &a[0], sp, sr, &b[0], sb, bo, &c[0], ldc, bit(overwrite))
}

func kernel(kc int, a []float32, sp, sr int, b []float32, sb int, c []float32, ldc int, overwrite bool) {
	if useAsm {
		if kc > 0 {
			// Bounds the assembly relies on.
			_, _, _ = a[(kc-1)*sp+(mr-1)*sr], b[(kc-1)*sb+nr-1], c[(mr-1)*ldc+nr-1]
		}
		kern6x16AVX2(kc, &a[0], sp, sr, &b[0], sb, &c[0], ldc, bit(overwrite))
		return
	}
	kernelGo(kc, a, sp, sr, b, sb, c, ldc, overwrite)
}

// copyPanelsAVX copies n groups of 16 floats from src to dst, dst+stride, …
//
//go:noescape
func copyPanelsAVX(dst *float32, stride int, src *float32, n int)

// copyPanels copies len(src)/nr groups of nr values from src into dst at
// stride floats apart (see copyPanelsGo).
func copyPanels(dst []float32, stride int, src []float32) {
	n := len(src) / nr
	if !useAsm || n == 0 {
		copyPanelsGo(dst, stride, src)
		return
	}
	_ = dst[(n-1)*stride+nr-1] // bounds the assembly relies on
	copyPanelsAVX(&dst[0], stride, &src[0], n)
}

// transpose8AVX writes dst[16p+r] = src[r·lds+p] for r < 8, p < 8n.
//
//go:noescape
func transpose8AVX(dst, src *float32, lds, n int)

// packPanelT packs one full 16-wide panel of a transposed B: dst[16p+j] =
// src[j·lds+p] for j < 16, p < kc (see packPanelTGo).
func packPanelT(dst, src []float32, lds, kc int) {
	n := kc / 8
	if !useAsm || n == 0 {
		packPanelTGo(dst, src, lds, kc)
		return
	}
	_, _ = dst[nr*kc-1], src[(nr-1)*lds+kc-1] // bounds the assembly relies on
	transpose8AVX(&dst[0], &src[0], lds, n)
	transpose8AVX(&dst[8], &src[8*lds], lds, n)
	if rest := n * 8; rest < kc {
		packPanelTGo(dst[rest*nr:], src[rest:], lds, kc-rest)
	}
}

// fmaLoopAVX2 runs n iterations of 12 independent 8-lane FMAs.
//
//go:noescape
func fmaLoopAVX2(n int)

// fmaLoopAVX512 runs n iterations of 12 independent 16-lane FMAs.
//
//go:noescape
func fmaLoopAVX512(n int)

// fmaLoop runs n iterations of 12 independent FMAs of the widest vectors
// the kernels use (Lanes() lanes) and reports whether there were any
// (false without the assembly kernels).
func fmaLoop(n int) bool {
	switch {
	case wideKernel:
		fmaLoopAVX512(n)
	case useAsm:
		fmaLoopAVX2(n)
	default:
		return false
	}
	return true
}

// bit is b as the assembly's 0/1 argument.
func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readLoopAVX512 reads the n floats at p (n a multiple of 128) reps times
// with 512-bit loads.
//
//go:noescape
func readLoopAVX512(p *float32, n, reps int)

// readLoopAVX2 is readLoopAVX512 with 256-bit loads.
//
//go:noescape
func readLoopAVX2(p *float32, n, reps int)

// writeLoopAVX512 stores zeros over the n floats at p (n a multiple of
// 128) reps times with 512-bit stores.
//
//go:noescape
func writeLoopAVX512(p *float32, n, reps int)

// writeLoopAVX2 is writeLoopAVX512 with 256-bit stores.
//
//go:noescape
func writeLoopAVX2(p *float32, n, reps int)

// streamLoop reads buf (a multiple of 128 floats), or with write stores
// zeros over it, reps times with the widest vectors the kernels use and
// reports whether it could (false without the assembly kernels).
func streamLoop(buf []float32, reps int, write bool) bool {
	if len(buf) == 0 || len(buf)%128 != 0 {
		panic("gemm: streamLoop buffer not a non-zero multiple of 128 floats")
	}
	switch {
	case wideKernel && write:
		writeLoopAVX512(&buf[0], len(buf), reps)
	case wideKernel:
		readLoopAVX512(&buf[0], len(buf), reps)
	case useAsm && write:
		writeLoopAVX2(&buf[0], len(buf), reps)
	case useAsm:
		readLoopAVX2(&buf[0], len(buf), reps)
	default:
		return false
	}
	return true
}

// smallKAVX512 sets or adds C[r, j] = Σ_p a[sp·p+sr·r]·b[ldb·p+j] for
// r < rows, j < 16·chunks, p < k ≤ 4, each element the kernels' FMA chain.
//
//go:noescape
func smallKAVX512(k int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, rows, chunks, overwrite int)

// smallKAVX2 is smallKAVX512 with 8-column chunks: the same bits.
//
//go:noescape
func smallKAVX2(k int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, rows, chunks, overwrite int)

// smallKKernel runs smallKAVX512 or smallKAVX2 over rows × chunks·Lanes()
// (one vector of columns per chunk).
func smallKKernel(k int, a []float32, sp, sr int, b []float32, ldb int, c []float32, ldc, rows, chunks int, overwrite bool) {
	if rows == 0 || chunks == 0 {
		return
	}
	w := Lanes()
	_, _, _ = a[(k-1)*sp+(rows-1)*sr], b[(k-1)*ldb+chunks*w-1], c[(rows-1)*ldc+chunks*w-1] // bounds the assembly relies on
	if wideKernel {
		smallKAVX512(k, &a[0], sp, sr, &b[0], ldb, &c[0], ldc, rows, chunks, bit(overwrite))
		return
	}
	smallKAVX2(k, &a[0], sp, sr, &b[0], ldb, &c[0], ldc, rows, chunks, bit(overwrite))
}

// The fewRows kernels (thin_amd64.s): the rows×(W·chunks) block of C,
// W = 32 with AVX-512 and 16 with AVX2, for rows ≤ 4.
//
//go:noescape
func fewRows1AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

//go:noescape
func fewRows2AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

//go:noescape
func fewRows3AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

//go:noescape
func fewRows4AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

//go:noescape
func fewRows1AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

//go:noescape
func fewRows2AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

//go:noescape
func fewRows3AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

//go:noescape
func fewRows4AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)

var fewRowsKernels = [2][4]func(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int){
	{fewRows1AVX2, fewRows2AVX2, fewRows3AVX2, fewRows4AVX2},
	{fewRows1AVX512, fewRows2AVX512, fewRows3AVX512, fewRows4AVX512},
}

// fewRowsKernel runs the kernel for rows (1 to 4) rows over chunks column
// chunks of one K block of kc.
func fewRowsKernel(kc int, a []float32, sp, sr int, b []float32, ldb int, c []float32, ldc, rows, chunks int, overwrite bool) {
	if chunks == 0 {
		return
	}
	w := 2 * Lanes()
	if kc > 0 {
		_, _ = a[(kc-1)*sp+(rows-1)*sr], b[(kc-1)*ldb+chunks*w-1] // bounds the assembly relies on
	}
	_ = c[(rows-1)*ldc+chunks*w-1]
	fewRowsKernels[bit(wideKernel)][rows-1](kc, &a[0], sp, sr, &b[0], ldb, &c[0], ldc, chunks, bit(overwrite))
}

// fewRows16Kernel runs the AVX2 few-rows kernel for rows (1 to 4) rows over
// one 16-column chunk of one K block of kc, whatever the CPU (fewCols packs
// 16-wide panels): the same bits as the AVX-512 kernels.
func fewRows16Kernel(kc int, a []float32, sp, sr int, b []float32, ldb int, c []float32, ldc, rows int, overwrite bool) {
	if kc > 0 {
		_, _ = a[(kc-1)*sp+(rows-1)*sr], b[(kc-1)*ldb+nr-1] // bounds the assembly relies on
	}
	_ = c[(rows-1)*ldc+nr-1]
	fewRowsKernels[0][rows-1](kc, &a[0], sp, sr, &b[0], ldb, &c[0], ldc, 1, bit(overwrite))
}
