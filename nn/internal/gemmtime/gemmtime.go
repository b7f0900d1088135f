// Package gemmtime accounts the core time and floating-point work of the
// engine's matrix products, for benchmarks that separate GEMM time from the
// engine's own overhead (nn/cmd/enginebench). It is internal to nn so that
// the switch is not part of the library's API: the accounting is
// process-wide, and only a benchmark program should turn it on.
package gemmtime

import (
	"sync/atomic"
	"time"
)

var (
	on    atomic.Bool
	nanos atomic.Int64
	flops atomic.Int64
)

// Enable turns the accounting on or off and resets the totals.
func Enable(enable bool) {
	on.Store(enable)
	nanos.Store(0)
	flops.Store(0)
}

// Enabled reports whether products are being accounted.
func Enabled() bool { return on.Load() }

// Add accounts one product of m×k by k×n that took elapsed on cores
// goroutines: core time elapsed·cores and 2·m·n·k operations.
func Add(elapsed time.Duration, cores, m, n, k int) {
	nanos.Add(int64(elapsed) * int64(cores))
	flops.Add(2 * int64(m) * int64(n) * int64(k))
}

// Flops returns the floating-point operations accounted since Enable(true).
func Flops() int64 { return flops.Load() }

// Time returns the core time accounted since Enable(true): each product's
// elapsed time times the goroutines it used, summed. Divided by the step
// time and the core count it is the share of the cores' time spent in GEMM.
func Time() time.Duration { return time.Duration(nanos.Load()) }
