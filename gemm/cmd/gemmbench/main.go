// Command gemmbench times gemm.Sgemm on the shapes the score models use, as
// the engine calls them, and prints milliseconds, GFLOP/s and the fraction
// of the machine's fp32 peak: the measured throughput of register-only FMAs
// of the kernel's vector width on every thread (the cores' real clock,
// turbo included), or cores × 2 FMA units × lanes × 2 flops × the clock
// given with -ghz. Products with a dimension of at most 4 (the MLP's output
// layer) do 2–8 multiply-adds per value of their large operand and are
// bounded by the rate at which it streams from or to cache: for them the
// "bound" column gives that bound (the operand's bytes at the measured read
// bandwidth, or write bandwidth for C when K ≤ 4, of a cache-resident
// buffer of that size per core) as a fraction of the peak. Convolution products are per batch chunk and run as in
// the engine: the 64-sample batch cut into chunks, each core running its
// share of the chunks one gemm.SgemmSerial after another (the time is that
// of the batch, the flops those of all chunks).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"phasespace/gemm"
	"phasespace/internal/parallel"
)

type shape struct {
	name    string
	ta, tb  bool
	m, n, k int
	// Convolution products: hw output pixels per sample, nbc samples per
	// chunk (n = nbc·hw, the last chunk of the batch narrower); zero for
	// one Sgemm.
	hw, nbc int
}

// batch is the U-Net batch the convolution chunks cut.
const batch = 64

var shapes = []shape{
	{"MLP fwd", false, true, 512, 256, 256, 0, 0},
	{"MLP input", false, true, 512, 256, 132, 0, 0},
	{"MLP output", false, true, 512, 2, 256, 0, 0},
	{"MLP output dW", true, false, 2, 256, 512, 0, 0},
	{"MLP output dX", false, false, 512, 256, 2, 0, 0},
	{"MLP dW=XᵀdY", true, false, 256, 256, 512, 0, 0},
	{"MLP dX=dY·W", false, false, 512, 256, 256, 0, 0},
	// U-Net 3×3 convolutions, batch 64, per chunk of 2, 4 and 8 samples
	// (the im2col buffer near 2 MiB): forward / input gradient y = W·col
	// (C: rows of the whole batch), weight gradient dW = dY·colᵀ (A: rows
	// of the whole batch; C: one per chunk).
	{"conv 28 y=W·col", false, false, 32, 2 * 28 * 28, 288, 28 * 28, 2},
	{"conv 28 dW", false, true, 32, 288, 2 * 28 * 28, 28 * 28, 2},
	{"conv 14 y=W·col", false, false, 64, 4 * 14 * 14, 576, 14 * 14, 4},
	{"conv 14 dW", false, true, 64, 576, 4 * 14 * 14, 14 * 14, 4},
	{"conv 7 y=W·col", false, false, 128, 8 * 7 * 7, 1152, 7 * 7, 8},
	{"conv 7 dW", false, true, 128, 1152, 8 * 7 * 7, 7 * 7, 8},
	{"square", false, false, 1024, 1024, 1024, 0, 0},
}

func cpuMHz() (float64, error) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "cpu MHz" {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("no cpu MHz line in /proc/cpuinfo")
}

func main() {
	ghz := flag.Float64("ghz", 0, "clock in GHz for the peak (default: first cpu MHz in /proc/cpuinfo)")
	reps := flag.Int("reps", 7, "timed repetitions per shape; the best and the median are printed")
	minTime := flag.Duration("min", 100*time.Millisecond, "minimum time per repetition")
	threads := flag.Int("threads", 0, "gemm threads (default GOMAXPROCS)")
	flag.Parse()
	cores := *threads
	if cores <= 0 {
		cores = runtime.GOMAXPROCS(0)
	}
	var peak float64
	var measured []float64 // peak measurements, before the shapes and after
	if *ghz > 0 {
		lanes := max(gemm.Lanes(), 8)
		peak = float64(cores) * 2 * float64(lanes) * 2 * *ghz
		fmt.Printf("peak fp32 = %d cores × 2 FMA × %d lanes × 2 flops × %.3f GHz (-ghz flag) = %.1f GFLOP/s; GOMAXPROCS=%d\n\n",
			cores, lanes, *ghz, peak, runtime.GOMAXPROCS(0))
	} else {
		// The nominal clock understates a boosting CPU (fractions above
		// 100%): measure the FMA throughput the cores deliver, before the
		// shapes and after them, and take the larger (a core taken away
		// by the host during one measurement halves it).
		peak = gemm.MeasurePeak(cores, 600*time.Millisecond)
		if peak == 0 {
			fmt.Fprintln(os.Stderr, "gemmbench: no AVX2/FMA kernel to measure the peak with; give -ghz")
			os.Exit(1)
		}
		measured = append(measured, peak)
	}
	type row struct {
		s                    shape
		name                 string
		best, med, gf, flops float64
		bytes                int
		bandwidth            float64
	}
	var rows []row
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		lda, ldb := s.k, s.n
		if s.ta {
			lda = s.m
		}
		if s.tb {
			ldb = s.k
		}
		a, b, c := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n), make([]float32, s.m*s.n)
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		run := func() { gemm.SgemmThreads(cores, s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) }
		if s.nbc > 0 {
			run, flops = convRun(r, s, cores)
		}
		run() // warm up buffers and caches
		iters := 1
		for {
			t0 := time.Now()
			for range iters {
				run()
			}
			if time.Since(t0) >= *minTime/4 || iters > 1<<20 {
				break
			}
			iters *= 2
		}
		iters *= 4 // about minTime per repetition
		per := make([]float64, *reps)
		for i := range per {
			t0 := time.Now()
			for range iters {
				run()
			}
			per[i] = time.Since(t0).Seconds() / float64(iters)
		}
		slices.Sort(per)
		best, med := per[0], per[len(per)/2]
		gf := flops / best / 1e9
		name := s.name
		if s.nbc > 0 {
			name += fmt.Sprintf(" ×%d", (batch+s.nbc-1)/s.nbc)
		}
		bw := 0.0
		bytes := streamedBytes(s)
		if bytes > 0 {
			measure := gemm.MeasureReadBandwidth
			if s.k <= 4 { // C is the large operand: written
				measure = gemm.MeasureWriteBandwidth
			}
			bw = measure(cores, bytes/cores, 150*time.Millisecond)
		}
		rows = append(rows, row{s, name, best, med, gf, flops, bytes, bw})
	}
	if measured != nil {
		peak = max(peak, gemm.MeasurePeak(cores, 600*time.Millisecond))
		measured = append(measured, peak)
		nominal := "unknown"
		if mhz, err := cpuMHz(); err == nil {
			nominal = fmt.Sprintf("%.1f GFLOP/s at the nominal %.3f GHz of /proc/cpuinfo", float64(cores)*2*float64(gemm.Lanes())*2*mhz/1000, mhz/1000)
		}
		fmt.Printf("peak fp32 = %.1f GFLOP/s measured (the larger of %.1f before and %.1f after the shapes; %d goroutines of register-only %d-lane FMAs; %s); GOMAXPROCS=%d\n\n",
			peak, measured[0], measured[1], cores, gemm.Lanes(), nominal, runtime.GOMAXPROCS(0))
	}
	fmt.Printf("%-20s %5s %6s %5s %9s %9s %9s %7s %7s\n", "shape", "M", "N", "K", "best ms", "med ms", "GFLOP/s", "peak", "bound")
	for _, w := range rows {
		s := w.s
		bound := "-"
		if w.bandwidth > 0 {
			bound = fmt.Sprintf("%.0f%%", 100*min(1, w.flops/(float64(w.bytes)/w.bandwidth)/peak))
		}
		fmt.Printf("%-20s %5d %6d %5d %9.3f %9.3f %9.1f %6.0f%% %7s\n", w.name, s.m, s.n, s.k, w.best*1e3, w.med*1e3, w.gf, 100*w.gf/peak, bound)
	}
}

// streamedBytes returns, for a product with a dimension of at most 4, the
// bytes of its large operand (A for N ≤ 4, B for M ≤ 4, C for K ≤ 4), and 0
// for the others.
func streamedBytes(s shape) int {
	switch {
	case s.n <= 4:
		return 4 * s.m * s.k
	case s.m <= 4:
		return 4 * s.k * s.n
	case s.k <= 4:
		return 4 * s.m * s.n
	}
	return 0
}

// convRun returns a run over the batch's chunks of a convolution product
// shape as the engine makes them (nn.Conv2d: parallel.Workers over the
// chunks, one column buffer per worker, gemm.SgemmSerial per chunk) and its
// flops.
func convRun(r *rand.Rand, s shape, cores int) (func(), float64) {
	chunks := (batch + s.nbc - 1) / s.nbc
	nw := min(cores, chunks)
	ld := batch * s.hw // row stride of a whole-batch matrix
	var cols [][]float32
	for range nw {
		cols = append(cols, randSlice(r, s.nbc*s.hw*max(s.k, s.n)))
	}
	var flops float64 // a chunk of nb samples: nb/nbc of the shape's
	for ch := range chunks {
		nb := min(s.nbc, batch-ch*s.nbc)
		flops += 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(nb) / float64(s.nbc)
	}
	if !s.tb { // y = W·col: W shared, y of the whole batch
		w, y := randSlice(r, s.m*s.k), make([]float32, s.m*ld)
		return func() {
			parallel.Workers(chunks, nw, func(wk, lo, hi int) {
				for ch := lo; ch < hi; ch++ {
					nc := min(s.nbc, batch-ch*s.nbc) * s.hw
					gemm.SgemmSerial(false, false, s.m, nc, s.k, 1, w, s.k, cols[wk], nc, 0, y[ch*s.nbc*s.hw:], ld)
				}
			})
		}, flops
	}
	// dW = dY·colᵀ: dY of the whole batch, one dW per chunk.
	dy, dw := randSlice(r, s.m*ld), make([]float32, chunks*s.m*s.n)
	return func() {
		parallel.Workers(chunks, nw, func(wk, lo, hi int) {
			for ch := lo; ch < hi; ch++ {
				nc := min(s.nbc, batch-ch*s.nbc) * s.hw
				gemm.SgemmSerial(false, true, s.m, s.n, nc, 1, dy[ch*s.nbc*s.hw:], ld, cols[wk], nc, 0, dw[ch*s.m*s.n:], s.n)
			}
		})
	}, flops
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}
