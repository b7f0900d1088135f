package gemm

import "phasespace/internal/parallel"

//go:generate sh -c "go run ./internal/genthin > thin_amd64.s"

// fewRowsMax is the most rows of C for which op(A)·B with an untransposed B
// is computed by the few-rows kernels (thin_amd64.s) instead of the 6-row
// tile, whose zero-padded rows would triple the multiply-adds at M = 2 (the
// MLP output layer's weight gradient, 2×512 by 512×256).
const fewRowsMax = 4

// fewRowsPath can be switched off by tests, to compare with the blocked path.
var fewRowsPath = true

// useFewRows reports whether fewRows takes the product.
func useFewRows(tb bool, m, n int, alpha float32) bool {
	return fewRowsPath && useAsm && !tb && m <= fewRowsMax && alpha == 1 && n >= 2*Lanes()
}

// fewRows computes C (+)= op(A)·B for m ≤ fewRowsMax rows: goroutines split
// the column chunks of two vectors (2·Lanes()) and run them through every K
// block (B and A read in place), each element the FMA chain of the blocked
// path, so the results are the blocked path's bit for bit. The columns past the last
// whole chunk go through the blocked path.
func fewRows(nt int, ta bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, overwrite bool) {
	w := 2 * Lanes()
	chunks := n / w
	sp, sr := aSP(ta, lda), aSR(ta, lda)
	parallel.Split(chunks, min(nt, chunks), func(lo, hi int) {
		for pc, step := 0, kStep(k); pc < k; pc += step {
			kc := min(step, k-pc)
			fewRowsKernel(kc, inPlaceA(ta, a, lda, pc), sp, sr, b[pc*ldb+lo*w:], ldb, c[lo*w:], ldc, m, hi-lo, overwrite && pc == 0)
		}
	})
	if rest := n - chunks*w; rest > 0 {
		blocked(nt, ta, false, m, rest, k, 1, a, lda, b[chunks*w:], ldb, c[chunks*w:], ldc, overwrite)
	}
}
