package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

func TestSgemmMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Two goroutines whatever the machine, so that both parallel splits run:
	// by row blocks (257×129×300) and by column panels (37×350×300: one row
	// block, 22 panels, the last one partial).
	shapes := [][3]int{{1, 1, 1}, {7, 13, 17}, {13, 7, 5}, {1, 31, 2}, {5, 1, 9}, {16, 16, 16}, {33, 5, 64}, {97, 17, 259}, {257, 129, 300}, {37, 350, 300}, {50, 70, 600}, {6, 64, 513}, {3, 4, 0}, {64, 2, 256}, {7, 3, 37}, {9, 4, 16}, {2, 1, 300}}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-2, 0.25}} {
					alpha, beta := ab[0], ab[1]
					// Strides larger than the stored rows.
					lda, ldb, ldc := k+3, n+2, n+5
					ar, br := m, k
					if ta {
						lda, ar = m+3, k
					}
					if tb {
						ldb, br = k+2, n
					}
					a := randSlice(r, max(ar*lda, 1))
					b := randSlice(r, max(br*ldb, 1))
					// C with NaN guards outside the m×n window.
					c := make([]float32, (m+1)*ldc)
					for i := range c {
						c[i] = float32(math.NaN())
					}
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							if beta == 0 {
								c[i*ldc+j] = float32(math.NaN()) // must be overwritten
							} else {
								c[i*ldc+j] = float32(r.NormFloat64())
							}
						}
					}
					want := append([]float32(nil), c...)
					Reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
					// Error scale: |alpha|·Σ_p |a||b| + |beta|·|c| per element.
					absA, absB := absSlice(a), absSlice(b)
					scale := absSlice(c)
					Reference(ta, tb, m, n, k, abs32(alpha), absA, lda, absB, ldb, abs32(beta), scale, ldc)
					SgemmThreads(2, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
					name := fmt.Sprintf("%dx%dx%d ta=%v tb=%v α=%v β=%v", m, n, k, ta, tb, alpha, beta)
					for i := 0; i < m+1; i++ {
						for j := 0; j < ldc; j++ {
							g, w := c[i*ldc+j], want[i*ldc+j]
							inside := i < m && j < n
							if !inside {
								if !math.IsNaN(float64(g)) {
									t.Fatalf("%s: wrote outside C at (%d,%d)", name, i, j)
								}
								continue
							}
							tol := 4e-7*float32(k+2)*scale[i*ldc+j] + 1e-30
							if d := g - w; d > tol || d < -tol || math.IsNaN(float64(g)) {
								t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, g, w)
							}
						}
					}
				}
			}
		}
	}
}

func absSlice(s []float32) []float32 {
	o := make([]float32, len(s))
	for i, v := range s {
		o[i] = abs32(v)
	}
	return o
}

func abs32(v float32) float32 { return float32(math.Abs(float64(v))) }

func TestSgemmIsDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	m, n, k := 300, 200, 500
	a, b := randSlice(r, m*k), randSlice(r, k*n)
	c1, c2 := make([]float32, m*n), make([]float32, m*n)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c1, n)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c2, n)
	for i := range c1 {
		if c1[i] != c2[i] {
			t.Fatalf("element %d differs between runs: %v vs %v", i, c1[i], c2[i])
		}
	}
}

func benchShape(b *testing.B, ta, tb bool, m, n, k int) { benchProduct(b, Sgemm, ta, tb, m, n, k) }

func benchProduct(b *testing.B, sgemm func(bool, bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int), ta, tb bool, m, n, k int) {
	r := rand.New(rand.NewPCG(5, 6))
	lda, ldb := k, n
	if ta {
		lda = m
	}
	if tb {
		ldb = k
	}
	a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sgemm(ta, tb, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkMLPForward512x256x256(b *testing.B)    { benchShape(b, false, true, 512, 256, 256) }
func BenchmarkMLPWeightGrad256x256x512(b *testing.B) { benchShape(b, true, false, 256, 256, 512) }
func BenchmarkMLPInput512x256x132(b *testing.B)      { benchShape(b, false, true, 512, 256, 132) }
func BenchmarkConv28(b *testing.B)                   { benchShape(b, false, false, 32, 64*28*28, 288) }
func BenchmarkConv14(b *testing.B)                   { benchShape(b, false, false, 64, 64*14*14, 576) }
func BenchmarkConv7(b *testing.B)                    { benchShape(b, false, false, 128, 64*7*7, 1152) }
func BenchmarkSquare1024(b *testing.B)               { benchShape(b, false, false, 1024, 1024, 1024) }
func BenchmarkMLPOutput512x2x256(b *testing.B)       { benchShape(b, false, true, 512, 2, 256) }
func BenchmarkMLPInputGrad512x256x256(b *testing.B)  { benchShape(b, false, false, 512, 256, 256) }
func BenchmarkIm2col28(b *testing.B)                 { benchShape(b, false, false, 64*28*28, 32, 288) }
func BenchmarkIm2col14(b *testing.B)                 { benchShape(b, false, false, 64*14*14, 64, 576) }
func BenchmarkIm2col7(b *testing.B)                  { benchShape(b, false, false, 64*7*7, 128, 1152) }

// BenchmarkPackB packs one kc×nc block of a row-major B (the channel-major
// convolution's im2col matrix, where packing competes with the kernel).
func BenchmarkPackB(b *testing.B) {
	const k, n = 288, 64 * 28 * 28
	src := make([]float32, k*n)
	dst := make([]float32, kcBlock*ncBlock)
	b.SetBytes(kcBlock * ncBlock * 4)
	for i := 0; i < b.N; i++ {
		packB(dst, false, src, n, 0, kcBlock, (i%8)*ncBlock, ncBlock)
	}
}

// The convolution GEMMs of one im2col chunk (two 28×28 or four 14×14
// images); the engine runs them with SgemmSerial, one chunk per core.
func BenchmarkConvChunk28(b *testing.B) { benchShape(b, false, false, 32, 2*28*28, 288) }
func BenchmarkConvChunk14(b *testing.B) { benchShape(b, false, false, 64, 4*14*14, 576) }
func BenchmarkSerialConvChunk28(b *testing.B) {
	benchProduct(b, SgemmSerial, false, false, 32, 2*28*28, 288)
}

// Packing at the MLP's sizes: a 256×256 B (row-major, or transposed as a
// Linear layer's weight), one 96×256 block of A (row-major or transposed).
func benchPackB(b *testing.B, tb bool) {
	const k, n = 256, 256
	src := make([]float32, k*n)
	dst := make([]float32, k*n)
	for i := 0; i < b.N; i++ {
		packB(dst, tb, src, n, 0, k, 0, n)
	}
}
func BenchmarkPackBMLP(b *testing.B)  { benchPackB(b, false) }
func BenchmarkPackBMLPT(b *testing.B) { benchPackB(b, true) }
func benchPackA(b *testing.B, ta bool) {
	const m, k = 96, 256
	src := make([]float32, 512*256)
	dst := make([]float32, m*k)
	for i := 0; i < b.N; i++ {
		packA(dst, ta, src, 256, 1, 0, m, 0, k)
	}
}
func BenchmarkPackAMLP(b *testing.B)  { benchPackA(b, false) }
func BenchmarkPackAMLPT(b *testing.B) { benchPackA(b, true) }
