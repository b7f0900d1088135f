// Package gemm provides single-precision general matrix multiplication for the
// score-network engine: BLIS-style cache blocking (packed A and B panels, or
// either read in place), register-tile micro-kernels in Go assembly (6×16
// AVX2 + FMA, and 6×32 AVX-512 where present, chosen at run time with
// golang.org/x/sys/cpu) with a portable Go kernel as fallback (and under
// -tags noasm), paths of their own for products with a dimension of at most
// 4 (dot products for N, row updates for K, few-row kernels for M), and
// goroutine parallelism over row blocks of C (or column strips when C has
// few rows). Every element of C sums its K terms in the same order whatever
// the thread count and whichever of AVX2 or AVX-512 runs, so results are
// deterministic.
//
// Sgemm is the entry point; SetThreads and Threads control parallelism.
// go run ./gemm/cmd/gemmbench prints throughput against the machine's peak
// (MeasurePeak) and, for products with a dimension of at most 4, against
// the cache bound (MeasureReadBandwidth, MeasureWriteBandwidth).
package gemm
