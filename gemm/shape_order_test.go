package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// kernelMode is one set of kernels a binary can run: the portable Go
// kernels, or the assembly ones with AVX2 only or with AVX-512.
type kernelMode struct {
	name      string
	asm, wide bool
}

// kernelModes lists the modes this CPU and build can run; the first is the
// one in use at start.
func kernelModes() []kernelMode {
	modes := []kernelMode{}
	if useAsm {
		if wideKernel {
			modes = append(modes, kernelMode{"AVX-512", true, true})
		}
		modes = append(modes, kernelMode{"AVX2", true, false})
	}
	return append(modes, kernelMode{"Go kernels", false, false})
}

// setKernelMode switches to m and returns a function that restores the
// previous mode.
func setKernelMode(m kernelMode) (restore func()) {
	asm, wide := useAsm, wideKernel
	useAsm, wideKernel = m.asm, m.wide
	return func() { useAsm, wideKernel = asm, wide }
}

// shapeOrderRows are the rows of an m-row product checked against the row
// computed alone: all of them for small m, a spread for large m.
func shapeOrderRows(m int) []int {
	if m <= 9 {
		rows := make([]int, m)
		for i := range rows {
			rows[i] = i
		}
		return rows
	}
	return []int{0, 1, 3, 4, 5, 6, 7, m/2 - 1, m / 2, m - 2, m - 1}
}

// Every element of C gets its K sum in one order that depends on K alone
// (docs/samplers.md: sample i does not depend on the batch size): row i of
// an m-row product is bit for bit the same row computed as a 1-row product,
// for every path (few columns, few rows, small K, in-place and transposed
// products, packed panels, thread splits, K blocks), both transpositions,
// beta = 0 (over NaN) and beta = 1, alpha = 1 and alpha ≠ 1, 1 and 2
// goroutines; and the AVX-512, AVX2 and portable Go kernels (the only ones
// with -tags noasm) give the same bits.
func TestRowDoesNotDependOnShape(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	ms := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 64, 700}
	ns := []int{1, 2, 3, 4, 5, 17, 32, 33, 64, 100}
	ks := []int{1, 2, 3, 4, 5, 16, 100, 257, 600}
	modes := kernelModes()
	checked := 0
	for _, m := range ms {
		for _, n := range ns {
			for _, k := range ks {
				if m*n*k > 8_000_000 || (m >= 64 && n*k > 20_000 && n > 5) {
					continue // the large products once per K only
				}
				for _, ta := range []bool{false, true} {
					for _, tb := range []bool{false, true} {
						// Strides larger than the stored rows.
						lda, ar := k+1, m
						if ta {
							lda, ar = m+1, k
						}
						ldb, br := n+2, k
						if tb {
							ldb, br = k+2, n
						}
						ldc := n + 3
						a, b := randSlice(r, ar*lda), randSlice(r, br*ldb)
						c0 := randSlice(r, m*ldc)
						ab := [2]float32{1, 0}
						switch checked % 3 {
						case 1:
							ab = [2]float32{1, 1}
						case 2:
							ab = [2]float32{0.75, 1}
						}
						checked++
						alpha, beta := ab[0], ab[1]
						var first []float32
						for _, mode := range modes {
							if !mode.asm && m*n*k > 150_000 {
								continue // the Go kernel (slow): the smaller products only
							}
							restore := setKernelMode(mode)
							for _, th := range []int{1, 2} {
								name := fmt.Sprintf("%s, %d goroutines: %d×%d×%d ta=%v tb=%v alpha=%v beta=%v", mode.name, th, m, n, k, ta, tb, alpha, beta)
								c := productOver(c0, beta)
								SgemmThreads(th, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
								if first == nil {
									first = c
								} else if i, ok := firstDiff(c, first, m, n, ldc); !ok {
									restore()
									t.Fatalf("%s: element %d: %v, %s with 1 goroutine: %v", name, i, c[i], modes[0].name, first[i])
								}
								for _, i := range shapeOrderRows(m) {
									ai := a[i:] // row i of op(A): column i of the stored A
									if !ta {
										ai = a[i*lda:]
									}
									row := productOver(c0[i*ldc:i*ldc+n], beta)
									SgemmThreads(th, ta, tb, 1, n, k, alpha, ai, lda, b, ldb, beta, row, n)
									if j, ok := firstDiff(row, c[i*ldc:], 1, n, n); !ok {
										restore()
										t.Fatalf("%s: row %d, column %d: %v in the %d-row product, %v alone", name, i, j, c[i*ldc+j], m, row[j])
									}
								}
							}
							restore()
						}
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d products checked", checked)
	}
}

// productOver returns a copy of c0 to multiply into: NaNs when beta = 0
// (the product must overwrite them).
func productOver(c0 []float32, beta float32) []float32 {
	c := append([]float32(nil), c0...)
	if beta == 0 {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	return c
}

// firstDiff compares the m×n blocks of x and y (row stride ld) bit for bit
// and returns the offset of the first difference.
func firstDiff(x, y []float32, m, n, ld int) (int, bool) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			o := i*ld + j
			if math.Float32bits(x[o]) != math.Float32bits(y[o]) {
				return o, false
			}
		}
	}
	return 0, true
}
