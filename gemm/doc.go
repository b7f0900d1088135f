// Package gemm provides single-precision general matrix multiplication for the
// score-network engine: BLIS-style cache blocking (packed A and B panels), a
// 6×16 register-tile micro-kernel in Go assembly (AVX2 + FMA, chosen at run
// time with golang.org/x/sys/cpu) with a portable Go kernel as fallback (and
// under -tags noasm), and goroutine parallelism over row blocks of C (or
// column blocks when C has few rows). Every element of C sums its K terms in
// the same order whatever the thread count, so results are deterministic.
//
// Sgemm is the entry point; SetThreads and Threads control parallelism.
// go run ./gemm/cmd/gemmbench prints throughput against the machine's peak.
package gemm
