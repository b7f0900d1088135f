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
	best := 0.0
	for rep := 0; rep < 3; rep++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0.0
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, t0 := 0, time.Now()
				for time.Since(t0) < d/3 {
					fmaLoop(iters)
					n++
				}
				gf := float64(n) * iters * float64(flops) / time.Since(t0).Seconds() / 1e9
				mu.Lock()
				total += gf
				mu.Unlock()
			}()
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
