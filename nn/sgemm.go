package nn

import (
	"sync/atomic"
	"time"

	"phasespace/gemm"
)

// gemmTiming enables accounting of the core time spent in GEMM (for
// benchmarks that separate GEMM time from the engine's own overhead).
var (
	gemmTiming atomic.Bool
	gemmNanos  atomic.Int64
	gemmFlops  atomic.Int64
)

// SetGEMMTiming turns GEMM time accounting on or off and resets the total.
func SetGEMMTiming(on bool) {
	gemmTiming.Store(on)
	gemmNanos.Store(0)
	gemmFlops.Store(0)
}

// GEMMFlops returns the floating-point operations (2·m·n·k per call) done
// by gemm.Sgemm since SetGEMMTiming(true).
func GEMMFlops() int64 { return gemmFlops.Load() }

// GEMMTime returns the core time spent in matrix products since
// SetGEMMTiming(true): each product's elapsed time times the goroutines it
// uses (gemm.Goroutines(0, …) for gemm.Sgemm, 1 for the serial products that
// the engine runs side by side), summed. Divided by the step time and the
// core count it is the share of the cores' time spent in GEMM.
func GEMMTime() time.Duration { return time.Duration(gemmNanos.Load()) }

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

// timedGEMM calls f and, with timing on, accounts its core time: the
// elapsed time times the goroutines the product uses.
func timedGEMM(f func(bool, bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int), serial bool, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if !gemmTiming.Load() {
		f(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	t0 := time.Now()
	f(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	cores := 1
	if !serial {
		cores = gemm.Goroutines(0, m, n, k)
	}
	gemmNanos.Add(int64(time.Since(t0)) * int64(cores))
	gemmFlops.Add(2 * int64(m) * int64(n) * int64(k))
}
