package gemm

import (
	"runtime"
	"testing"
)

// The goroutine count is a parameter: ≤ 0 reads GOMAXPROCS at the call,
// a positive count is used as given, and products below 2^18 multiply-adds
// stay on the caller whatever the count.
func TestGoroutinesTakesTheThreadCount(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	for _, c := range []struct{ threads, m, n, k, want int }{
		{0, 64, 64, 64, 3}, {-1, 64, 64, 64, 3}, {5, 64, 64, 64, 5}, {1, 64, 64, 64, 1},
		{0, 63, 64, 64, 1}, {5, 2, 2, 2, 1},
	} {
		if got := Goroutines(c.threads, c.m, c.n, c.k); got != c.want {
			t.Errorf("Goroutines(%d, %d, %d, %d) = %d with GOMAXPROCS 3, want %d", c.threads, c.m, c.n, c.k, got, c.want)
		}
	}
	runtime.GOMAXPROCS(2)
	if got := Goroutines(0, 64, 64, 64); got != 2 {
		t.Errorf("Goroutines(0, …) = %d after GOMAXPROCS(2), want 2 (read at each call)", got)
	}
}
