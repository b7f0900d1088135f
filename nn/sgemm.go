package nn

import (
	"time"

	"phasespace/gemm"
	"phasespace/nn/internal/gemmtime"
)

// gemmKernel and gemmSerialKernel are the matrix-product kernels;
// benchmarks may swap them to measure the engine's own overhead.
var (
	gemmKernel       = gemm.Sgemm
	gemmSerialKernel = gemm.SgemmSerial
)

// sgemm forwards to gemm.Sgemm (parallel inside), sgemmSerial to
// gemm.SgemmSerial (for products run side by side by the caller's
// goroutines): the only matrix-product kernels the engine uses.
func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	timedGEMM(gemmKernel, false, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func sgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	timedGEMM(gemmSerialKernel, true, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// timedGEMM calls f and, with gemmtime enabled (benchmarks), accounts its
// core time: the elapsed time times the goroutines the product uses.
func timedGEMM(f func(bool, bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int), serial bool, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !gemmtime.Enabled() {
		f(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	t0 := time.Now()
	f(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	cores := 1
	if !serial {
		cores = gemm.Goroutines(0, m, n, k)
	}
	gemmtime.Add(time.Since(t0), cores, m, n, k)
}
