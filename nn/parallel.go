package nn

import "phasespace/internal/parallel"

// pfor runs body over [0, n) on up to GOMAXPROCS goroutines when each gets at
// least grain iterations; elementwise work below that stays serial because
// the goroutine hand-off costs more than it saves.
func pfor(n, grain int, body func(lo, hi int)) { parallel.For(n, grain, body) }

// elemGrain is the minimum number of elementwise operations per goroutine.
var elemGrain = 16384
