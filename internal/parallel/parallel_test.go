package parallel

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000, 1001} {
		hits := make([]int32, n)
		For(n, 3, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, h)
			}
		}
	}
}

// TestWorkersSubRanges checks the documented sub-ranges and their indices,
// from the caller and from bodies that call Workers again (nested calls
// take only idle pool workers and must neither deadlock nor skip a range).
func TestWorkersSubRanges(t *testing.T) {
	check := func(n, w int) {
		t.Helper()
		chunk := (n + w - 1) / w
		hits := make([]int32, n)
		var bad atomic.Int32
		Workers(n, w, func(worker, lo, hi int) {
			if worker < 0 || worker >= w || lo != worker*chunk || hi != min(lo+chunk, n) {
				bad.Add(1)
			}
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&hits[i], 1)
			}
		})
		if bad.Load() != 0 {
			t.Errorf("n=%d w=%d: %d sub-ranges with a wrong index or bounds", n, w, bad.Load())
		}
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n=%d w=%d: index %d visited %d times", n, w, i, h)
			}
		}
	}
	for _, n := range []int{1, 2, 5, 64, 1001} {
		for _, w := range []int{1, 2, 3, 8, 64} {
			check(n, w)
		}
	}
	// Nested, three levels deep, and from several goroutines at once.
	var total atomic.Int64
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				Split(4, 4, func(lo, hi int) {
					Split(6, 3, func(lo, hi int) {
						Split(10, 2, func(lo, hi int) { total.Add(int64(hi - lo)) })
					})
				})
			}
		}()
	}
	for range 4 {
		<-done
	}
	if want := int64(4 * 50 * 4 * 3 * 10); total.Load() != want {
		t.Fatalf("nested splits covered %d indices, want %d", total.Load(), want)
	}
}

// TestWorkersAfterParking runs splits with pauses longer than the pool's
// spin, so that each finds its workers parked and must wake them.
func TestWorkersAfterParking(t *testing.T) {
	for range 5 {
		time.Sleep(3 * spin)
		var sum atomic.Int64
		Split(100, 2, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				sum.Add(int64(i))
			}
		})
		if sum.Load() != 4950 {
			t.Fatalf("sum %d, want 4950", sum.Load())
		}
	}
}

// BenchmarkSplitEmpty times a two-way split of nothing, back to back: the
// hand-off to a polling pool worker and back.
func BenchmarkSplitEmpty(b *testing.B) {
	for b.Loop() {
		Split(2, 2, func(lo, hi int) {})
	}
}

// BenchmarkSplit50us times a two-way split of 50 µs of work per half: with
// two cores, 50 µs plus the hand-offs.
func BenchmarkSplit50us(b *testing.B) {
	for b.Loop() {
		Split(2, 2, func(lo, hi int) {
			for t := time.Now(); time.Since(t) < 50*time.Microsecond; {
			}
		})
	}
}
