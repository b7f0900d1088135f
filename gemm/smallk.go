package gemm

import "phasespace/internal/parallel"

// smallKMax is the largest K for which C (+)= op(A)·B with an untransposed B
// is computed row by row (smallK) instead of by the blocked kernel: with
// K ≤ 4 a 6×32 tile does at most 4 multiply-adds per element it stores, so
// the blocked path spends its time in kernel calls (the MLP output layer's
// input gradient, 512×2 by 2×256).
const smallKMax = 4

// smallKPath can be switched off by tests, to compare with the blocked path.
var smallKPath = true

// useSmallK reports whether smallK takes the product.
func useSmallK(tb bool, n, k int, alpha float32) bool {
	return smallKPath && useAsm && !tb && k <= smallKMax && alpha == 1 && n >= Lanes()
}

// smallK computes C (+)= op(A)·B for K ≤ smallKMax: each row of C in chunks
// of one vector (Lanes() columns), each element the FMA chain the
// micro-kernels give it (from zero, p in order, then set or added), so the results are
// those of the blocked path bit for bit. Goroutines split the rows; the
// columns past the last whole chunk go through the blocked path.
func smallK(nt int, ta bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, overwrite bool) {
	w := Lanes()
	chunks := n / w
	sp, sr := aSP(ta, lda), aSR(ta, lda)
	parallel.Split(m, min(nt, m), func(lo, hi int) {
		smallKKernel(k, a[lo*sr:], sp, sr, b, ldb, c[lo*ldc:], ldc, hi-lo, chunks, overwrite)
	})
	if rest := n - chunks*w; rest > 0 {
		blocked(nt, ta, false, m, rest, k, 1, a, lda, b[chunks*w:], ldb, c[chunks*w:], ldc, overwrite)
	}
}
