package gemm

import (
	"sync"
	"time"
)

// MeasurePeak returns the fp32 peak of the machine in GFLOP/s as measured:
// threads goroutines each run a register-only loop of independent FMAs on
// the widest vectors the micro-kernels use (8 lanes with AVX2, 16 with
// AVX-512) for about d, so the figure reflects the clock the cores actually
// run at (turbo included), which the nominal "cpu MHz" does not. It returns
// 0 when no assembly kernel is in use.
func MeasurePeak(threads int, d time.Duration) float64 {
	const iters = 1 << 20
	if !fmaLoop(1) {
		return 0
	}
	flops := 12 * 2 * Lanes() // per iteration: 12 FMAs of Lanes() lanes
	return bestRate(threads, d, func() func() float64 {
		return func() float64 {
			fmaLoop(iters)
			return float64(iters * flops)
		}
	})
}

// MeasureReadBandwidth returns the rate, in GB/s over all threads, at which
// threads goroutines read a buffer of their own of the given size (rounded
// up to 512 bytes) over and over with vector loads for about d: the cache
// bandwidth that bounds products doing few multiply-adds per value read
// (N or M of at most 4). It returns 0 when no assembly kernel is in use.
func MeasureReadBandwidth(threads, bytes int, d time.Duration) float64 {
	return measureBandwidth(threads, bytes, d, false)
}

// MeasureWriteBandwidth is MeasureReadBandwidth for vector stores: the
// bandwidth that bounds products writing a large C from little work per
// value (K of at most 4).
func MeasureWriteBandwidth(threads, bytes int, d time.Duration) float64 {
	return measureBandwidth(threads, bytes, d, true)
}

func measureBandwidth(threads, bytes int, d time.Duration, write bool) float64 {
	n := (bytes + 511) / 512 * 128
	if !streamLoop(make([]float32, 128), 1, write) {
		return 0
	}
	reps := max(1, (1<<24)/n) // about 64 MiB per call
	return bestRate(threads, d, func() func() float64 {
		buf := make([]float32, n)
		for i := range buf { // written: untouched pages all map the one zero page
			buf[i] = 1
		}
		return func() float64 {
			streamLoop(buf, reps, write)
			return float64(reps * 4 * n)
		}
	})
}

// bestRate runs, three times, threads goroutines side by side for about d/3
// each, every one repeating the work its setup returns (which reports the
// units it did), and returns the best total rate in giga-units per second.
func bestRate(threads int, d time.Duration, setup func() func() float64) float64 {
	best := 0.0
	for rep := 0; rep < 3; rep++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0.0
		for t := 0; t < threads; t++ {
			wg.Go(func() {
				work := setup()
				done, t0 := 0.0, time.Now()
				for time.Since(t0) < d/3 {
					done += work()
				}
				rate := done / time.Since(t0).Seconds() / 1e9
				mu.Lock()
				total += rate
				mu.Unlock()
			})
		}
		wg.Wait()
		best = max(best, total)
	}
	return best
}

// Lanes returns the float32 lanes of the widest vectors the micro-kernels
// use: 16 with AVX-512, 8 with AVX2, 0 for the portable Go kernel.
func Lanes() int {
	switch {
	case wideKernel:
		return 16
	case useAsm:
		return 8
	}
	return 0
}
