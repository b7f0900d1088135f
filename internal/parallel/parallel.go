// Package parallel splits index ranges over goroutines for data-parallel
// loops whose iterations are independent.
package parallel

import (
	"runtime"
	"sync"
)

// For calls body on disjoint sub-ranges [lo, hi) covering [0, n), using up to
// GOMAXPROCS goroutines when n is at least minChunk per goroutine; small
// ranges run on the calling goroutine. Results must not depend on how the
// range is split.
func For(n, minChunk int, body func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if minChunk < 1 {
		minChunk = 1
	}
	if m := n / minChunk; m < w {
		w = m
	}
	Split(n, w, body)
}

// Split calls body on at most w contiguous sub-ranges of [0, n) in separate
// goroutines and waits for them; with w <= 1 it calls body(0, n) directly.
func Split(n, w int, body func(lo, hi int)) {
	Workers(n, w, func(_, lo, hi int) { body(lo, hi) })
}

// Workers is Split that also passes each goroutine its index, 0 ≤ worker <
// w, for per-goroutine scratch.
func Workers(n, w int, body func(worker, lo, hi int)) {
	if n <= 0 {
		return
	}
	if w <= 1 || n == 1 {
		body(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + w - 1) / w
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			body(lo/chunk, lo, hi)
		}()
	}
	wg.Wait()
}
