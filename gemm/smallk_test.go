package gemm

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkPathMatchesBlocked holds a special path (switched by *on, taking the
// shapes use accepts) bit for bit to the blocked path: transposed A or not,
// B transposed or not as tbs lists, setting or adding, with and without
// AVX-512 and for 1 and 2 goroutines.
func checkPathMatchesBlocked(t *testing.T, name string, on *bool, use func(m, n, k int) bool, tbs []bool, shapes [][3]int, seed uint64) {
	t.Helper()
	if !useAsm {
		t.Skipf("no AVX2+FMA on this CPU or built with -tags noasm: the %s path is not in use", name)
	}
	r := rand.New(rand.NewPCG(seed, seed+1))
	wide := wideKernel
	defer func() { wideKernel, *on = wide, true }()
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tab := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			ta, tb := tab[0], tab[1]
			if !slices.Contains(tbs, tb) {
				continue
			}
			lda := k + 1
			if ta {
				lda = m + 2
			}
			ldb := n + 3
			if tb {
				ldb = k + 3
			}
			a, b := randSlice(r, max(m, k)*lda), randSlice(r, max(n, k)*ldb)
			for _, beta := range []float32{0, 0.5} {
				c0 := randSlice(r, m*(n+1))
				var want []float32
				for _, w := range []bool{wide, false} {
					for _, threads := range []int{1, 2} {
						for _, special := range []bool{true, false} {
							wideKernel, *on = w, special
							if special && !use(m, n, k) {
								t.Fatalf("%v: not on the %s path", s, name)
							}
							c := append([]float32(nil), c0...)
							SgemmThreads(threads, ta, tb, m, n, k, 1, a, lda, b, ldb, beta, c, n+1)
							if want == nil {
								want = c
								continue
							}
							for i := range c {
								if c[i] != want[i] {
									t.Fatalf("%v ta=%v tb=%v beta=%v (AVX-512 %v, %d goroutines, %s path %v): element %d: %v, first run %v",
										s, ta, tb, beta, w, threads, name, special, i, c[i], want[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// Products with K ≤ 4 (both paths: each element's FMA chain from zero).
func TestSmallKMatchesBlocked(t *testing.T) {
	checkPathMatchesBlocked(t, "small-K", &smallKPath, func(m, n, k int) bool { return useSmallK(false, n, k, 1) }, []bool{false},
		[][3]int{{512, 256, 2}, {7, 37, 1}, {13, 16, 3}, {300, 100, 4}, {1, 24, 2}}, 31)
}

// Products with M ≤ 4, every row count, one K block or several.
func TestFewRowsMatchesBlocked(t *testing.T) {
	checkPathMatchesBlocked(t, "few-rows", &fewRowsPath, func(m, n, k int) bool { return useFewRows(false, m, n, 1) }, []bool{false},
		[][3]int{{2, 256, 512}, {1, 37, 9}, {3, 64, 300}, {4, 100, 7}, {2, 1568, 288}}, 33)
}

// Products with N ≤ 4 (the transposed product through the few-rows
// kernels), both transpositions of B, every column count, a partial last
// group of 16 rows, one K block or several.
func TestFewColsMatchesBlocked(t *testing.T) {
	checkPathMatchesBlocked(t, "few-columns", &fewColsPath, func(m, n, k int) bool { return useFewCols(n, 1) }, []bool{false, true},
		[][3]int{{512, 2, 256}, {1, 1, 9}, {37, 3, 300}, {16, 4, 7}, {256, 4, 512}, {5, 2, 600}}, 35)
}
