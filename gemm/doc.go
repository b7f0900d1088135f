// Package gemm provides single-precision general matrix multiplication for the
// score-network engine: BLIS-style cache blocking (packed A and B panels, or
// either read in place), register-tile micro-kernels in Go assembly (6×16
// AVX2 + FMA, and 6×32 AVX-512 where present, chosen at run time with
// golang.org/x/sys/cpu) with a portable Go kernel as fallback (and under
// -tags noasm), paths of their own for products with a dimension of at
// most 4 (the transposed product through the few-row kernels for N, row
// updates for K, few-row kernels for M), and goroutine parallelism
// over row blocks of C (or column strips when C has few rows). Every
// element of C sums its K terms in one order that depends on K alone: not
// on the shape of the rest of the product (row i of C is the same bits
// whatever M), the path taken, the thread count, or whichever of AVX2,
// AVX-512 or the portable Go kernel runs.
//
// Sgemm is the entry point (up to GOMAXPROCS goroutines); SgemmThreads
// takes the goroutine count and SgemmSerial runs on the caller's goroutine.
// go run ./gemm/cmd/gemmbench prints throughput against the machine's peak
// (MeasurePeak) and, for products with a dimension of at most 4, against
// the cache bound (MeasureReadBandwidth, MeasureWriteBandwidth).
package gemm
