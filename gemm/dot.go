package gemm

import "phasespace/internal/parallel"

// dotCols is the most columns of C for which C = A·Bᵀ (A and B both with
// contiguous rows) is computed as dot products of rows instead of by the
// blocked kernel, whose 16- or 32-wide tiles would be mostly padding. Such
// a product (the MLP's output layer: 512×256 by 256×2) does 2–8
// multiply-adds per value of A read, so it runs at the speed A streams from
// cache, not at the FMA peak.
const dotCols = 4

// useDot reports whether the dot-product path takes the product.
func useDot(ta, tb bool, n int, alpha float32) bool {
	return useAsm && tb && !ta && n <= dotCols && alpha == 1
}

// dotProducts computes C (+)= A·Bᵀ for n ≤ dotCols as dot products in the
// canonical order of dot_amd64.s (each element independent of the others
// and of the goroutine count). Goroutines split the rows; columns go in
// pairs, an odd last one paired with a zero row; a last partial group of
// rows is zero-padded into scratch, its sums through a small tile.
func dotProducts(nt, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, overwrite bool) {
	rows := dotKernelRows()
	groups := (m + rows - 1) / rows
	var odd []float32 // the last column of an odd n, then zeros
	if n%2 == 1 {
		p := getBuf(2 * k)
		defer bufPool.Put(p)
		odd = *p
		copy(odd, b[(n-1)*ldb:(n-1)*ldb+k])
		clear(odd[k:])
	}
	parallel.Split(groups, min(nt, groups), func(lo, hi int) {
		var t [4 * 2]float32
		for g := lo; g < hi; g++ {
			r0 := g * rows
			have := min(rows, m-r0)
			ap, sa := a[r0*lda:], lda
			if have < rows { // the last group: at most once per product
				p := getBuf(rows * k)
				defer bufPool.Put(p)
				for r := range rows {
					if r < have {
						copy((*p)[r*k:(r+1)*k], a[(r0+r)*lda:(r0+r)*lda+k])
					} else {
						clear((*p)[r*k : (r+1)*k])
					}
				}
				ap, sa = *p, k
			}
			for j := 0; j < n; j += 2 {
				bp, sb := b[j*ldb:], ldb
				if j+1 == n {
					bp, sb = odd, k
				}
				if have == rows && j+1 < n {
					dotKernel(k, ap, sa, bp, sb, c[r0*ldc+j:], ldc, overwrite)
					continue
				}
				dotKernel(k, ap, sa, bp, sb, t[:], 2, true)
				addTile(c[r0*ldc+j:], ldc, t[:], 2, have, min(2, n-j), overwrite)
			}
		}
	})
}
