package gemm

import "phasespace/internal/parallel"

// fewColsMax is the most columns of C for which op(A)·op(B) is computed by
// fewCols instead of by the blocked kernel, whose 16- or 32-wide tiles
// would be mostly padding: the MLP's output layer (512×256 by 256×2) and
// the weight gradient of its input layer (256×512 by 512×4).
const fewColsMax = 4

// fewColsPath can be switched off by tests, to compare with the blocked path.
var fewColsPath = true

// useFewCols reports whether fewCols takes the product.
func useFewCols(n int, alpha float32) bool {
	return fewColsPath && useAsm && n <= fewColsMax && alpha == 1
}

// fewCols computes C (+)= op(A)·op(B) for n ≤ fewColsMax columns as the
// transposed product Cᵀ = op(B)ᵀ·op(A)ᵀ, 16 rows of C at a time: the rows
// are read in place when A is transposed (op(A)ᵀ's rows are A's) and the
// group is whole, else packed as one 16-wide panel (transposed in registers
// when A is not transposed), multiplied by the few-rows kernels with 16-column chunks (n rows
// of op(B)ᵀ read in place), into a n×16 scratch that starts as the rows'
// Cᵀ when adding, then copied back. Each element is the blocked path's FMA
// chain per K block (kStep), the blocks added in order: the same bits as
// every other path (see blocked). Goroutines split the 16-row groups.
func fewCols(nt int, ta, tb bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, overwrite bool) {
	groups := (m + nr - 1) / nr
	step := kStep(k)
	// Row j, column p of op(B)ᵀ at [sp·p + sr·j].
	sp, sr := ldb, 1
	if tb {
		sp, sr = 1, ldb
	}
	parallel.Split(groups, min(nt, groups), func(lo, hi int) {
		pb := getBuf(step * nr)
		defer bufPool.Put(pb)
		var t [fewColsMax * nr]float32
		for g := lo; g < hi; g++ {
			r0 := g * nr
			rows := min(nr, m-r0)
			if !overwrite {
				for r := 0; r < rows; r++ {
					for j := 0; j < n; j++ {
						t[j*nr+r] = c[(r0+r)*ldc+j]
					}
				}
			}
			for pc := 0; pc < k; pc += step {
				kc := min(step, k-pc)
				// op(A)[r0+r, pc+p] at [ap + lda'·p + r]: in place for a
				// transposed A (16 adjacent values of a row of the stored
				// A), else packed into (*pb)[nr·p + r].
				ap, lap := *pb, nr
				if ta && rows == nr {
					ap, lap = a[pc*lda+r0:], lda
				} else {
					packB(*pb, !ta, a, lda, pc, kc, r0, rows)
				}
				fewRows16Kernel(kc, b[pc*sp:], sp, sr, ap, lap, t[:], nr, n, overwrite && pc == 0)
			}
			for r := 0; r < rows; r++ {
				for j := 0; j < n; j++ {
					c[(r0+r)*ldc+j] = t[j*nr+r]
				}
			}
		}
	})
}
