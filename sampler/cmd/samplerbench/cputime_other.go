//go:build !unix

package main

import "time"

// cpuTime is not available here: it returns false (the table then
// reports wall time).
func cpuTime() (time.Duration, bool) { return 0, false }
