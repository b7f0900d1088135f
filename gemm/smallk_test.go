package gemm

import (
	"math/rand/v2"
	"testing"
)

// Products with K ≤ 4 give the same bits on the small-K path as on the
// blocked path, transposed A or not, setting or adding, with and without
// AVX-512 and for 1 and 2 goroutines (both paths are each element's FMA
// chain from zero).
func TestSmallKMatchesBlocked(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2+FMA on this CPU or built with -tags noasm: the small-K path is not in use")
	}
	r := rand.New(rand.NewPCG(31, 32))
	wide := wideKernel
	defer func() { wideKernel, smallKPath = wide, true }()
	defer SetThreads(Threads())
	for _, s := range [][3]int{{512, 256, 2}, {7, 37, 1}, {13, 16, 3}, {300, 100, 4}, {1, 24, 2}} {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			lda := k + 1
			if ta {
				lda = m + 2
			}
			a, b := randSlice(r, max(m, k)*lda), randSlice(r, k*(n+3))
			for _, beta := range []float32{0, 0.5} {
				c0 := randSlice(r, m*(n+1))
				var want []float32
				for _, w := range []bool{wide, false} {
					for _, threads := range []int{1, 2} {
						for _, small := range []bool{true, false} {
							wideKernel, smallKPath = w, small
							SetThreads(threads)
							if small && !useSmallK(false, n, k, 1) {
								t.Fatalf("%v: not on the small-K path", s)
							}
							c := append([]float32(nil), c0...)
							Sgemm(ta, false, m, n, k, 1, a, lda, b, n+3, beta, c, n+1)
							if want == nil {
								want = c
								continue
							}
							for i := range c {
								if c[i] != want[i] {
									t.Fatalf("%v ta=%v beta=%v (AVX-512 %v, %d goroutines, small-K %v): element %d: %v, first run %v",
										s, ta, beta, w, threads, small, i, c[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// Products with M ≤ 4 give the same bits on the few-rows path as on the
// blocked path, for every row count, transposed A or not, one K block or
// several, setting or adding, with and without AVX-512 and for 1 and 2
// goroutines.
func TestFewRowsMatchesBlocked(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2+FMA on this CPU or built with -tags noasm: the few-rows path is not in use")
	}
	r := rand.New(rand.NewPCG(33, 34))
	wide := wideKernel
	defer func() { wideKernel, fewRowsPath = wide, true }()
	defer SetThreads(Threads())
	for _, s := range [][3]int{{2, 256, 512}, {1, 37, 9}, {3, 64, 300}, {4, 100, 7}, {2, 1568, 288}} {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			lda := k + 1
			if ta {
				lda = m + 2
			}
			a, b := randSlice(r, max(m, k)*lda), randSlice(r, k*(n+3))
			for _, beta := range []float32{0, 0.5} {
				c0 := randSlice(r, m*(n+1))
				var want []float32
				for _, w := range []bool{wide, false} {
					for _, threads := range []int{1, 2} {
						for _, few := range []bool{true, false} {
							wideKernel, fewRowsPath = w, few
							SetThreads(threads)
							if few && !useFewRows(false, m, n, 1) {
								t.Fatalf("%v: not on the few-rows path", s)
							}
							c := append([]float32(nil), c0...)
							Sgemm(ta, false, m, n, k, 1, a, lda, b, n+3, beta, c, n+1)
							if want == nil {
								want = c
								continue
							}
							for i := range c {
								if c[i] != want[i] {
									t.Fatalf("%v ta=%v beta=%v (AVX-512 %v, %d goroutines, few-rows %v): element %d: %v, first run %v",
										s, ta, beta, w, threads, few, i, c[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	}
}
