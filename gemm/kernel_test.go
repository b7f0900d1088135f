package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The assembly micro-kernel and the portable Go kernel agree bit for bit
// (both fuse each multiply-add).
func TestAssemblyKernelMatchesGoKernel(t *testing.T) {
	if !useAsm {
		t.Skip("no AVX2+FMA on this CPU or built with -tags noasm: only the Go kernel is in use")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for _, kc := range []int{0, 1, 5, 64, 257} {
		a, b := randSlice(r, max(mr*kc, 1)), randSlice(r, max(nr*kc, 1))
		ldc := nr + 3
		c1 := randSlice(r, mr*ldc)
		c2 := append([]float32(nil), c1...)
		ow := kc%2 == 1 // overwrite mode on odd kc, add on even
		kernel(kc, a, mr, 1, b, nr, c1, ldc, ow)
		kernelGo(kc, a, mr, 1, b, nr, c2, ldc, ow)
		for i := range c1 {
			if math.Float32bits(c1[i]) != math.Float32bits(c2[i]) {
				t.Fatalf("kc=%d: element %d: asm %v, Go %v", kc, i, c1[i], c2[i])
			}
			if j := i % ldc; j >= nr && c1[i] != c2[i] {
				t.Fatalf("kc=%d: kernel wrote outside its 6×16 tile at column %d", kc, j)
			}
		}
	}
}

// The kernel reading A in place (strides 1 and lda, as for untransposed A)
// and B in place (rows ldb apart) gives bit-for-bit the sums of the packed
// layouts, in assembly and in Go.
func TestStridedKernelMatchesPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, kc := range []int{1, 7, 256} {
		const lda, ldb, col = 300, 75, 9
		a, bFull := randSlice(r, mr*lda), randSlice(r, kc*ldb)
		packed := make([]float32, mr*kc)
		for p := 0; p < kc; p++ {
			for i := 0; i < mr; i++ {
				packed[p*mr+i] = a[i*lda+p]
			}
		}
		b := make([]float32, nr*kc) // columns col..col+16 of bFull, packed
		for p := 0; p < kc; p++ {
			copy(b[p*nr:p*nr+nr], bFull[p*ldb+col:])
		}
		ldc := nr + 1
		c0 := randSlice(r, mr*ldc)
		for _, k := range []struct {
			name string
			f    func(kc int, a []float32, sp, sr int, b []float32, sb int, c []float32, ldc int, overwrite bool)
		}{{"kernel", kernel}, {"kernelGo", kernelGo}} {
			c1, c2, c3 := append([]float32(nil), c0...), append([]float32(nil), c0...), append([]float32(nil), c0...)
			k.f(kc, packed, mr, 1, b, nr, c1, ldc, false)
			k.f(kc, a, 1, lda, b, nr, c2, ldc, false)
			k.f(kc, a, 1, lda, bFull[col:], ldb, c3, ldc, false)
			for i := range c1 {
				if c1[i] != c2[i] || c1[i] != c3[i] {
					t.Fatalf("%s kc=%d: element %d: packed %v, A in place %v, A and B in place %v", k.name, kc, i, c1[i], c2[i], c3[i])
				}
			}
		}
	}
}

// The 6×32 AVX-512 kernel gives bit for bit the results of two 6×16 calls
// (AVX2 where present, else Go), packed and in place, adding and
// overwriting, and whole products do not change when it is switched off: a
// result does not depend on whether the CPU has AVX-512.
func TestWideKernelMatchesTwoNarrow(t *testing.T) {
	if !wideKernel {
		t.Skip("no AVX-512F on this CPU or built with -tags noasm: the 6×32 kernel is not in use")
	}
	r := rand.New(rand.NewPCG(15, 16))
	for _, kc := range []int{0, 1, 7, 256} {
		const lda = 300
		a, b := randSlice(r, (kc+mr)*lda), randSlice(r, (2*nr+5)*kc+2*nr)
		ldc := 2*nr + 3
		c0 := randSlice(r, mr*ldc)
		for _, layout := range []struct{ sp, sr int }{{mr, 1}, {1, lda}, {lda, 1}} {
			for _, ow := range []bool{false, true} {
				// B as two packed panels, and as 32 columns of a row-major
				// matrix (b read with rows 2nr+5 apart).
				for _, bl := range []struct{ sb, bo int }{{nr, nr * kc}, {2*nr + 5, nr}} {
					c1, c2 := append([]float32(nil), c0...), append([]float32(nil), c0...)
					kernel2(kc, a, layout.sp, layout.sr, b, bl.sb, bl.bo, c1, ldc, ow)
					kernel(kc, a, layout.sp, layout.sr, b, bl.sb, c2, ldc, ow)
					kernel(kc, a, layout.sp, layout.sr, b[bl.bo:], bl.sb, c2[nr:], ldc, ow)
					for i := range c1 {
						if c1[i] != c2[i] {
							t.Fatalf("kc=%d A strides %v B (sb, bo) %v overwrite=%v: element %d (column %d): 6×32 %v, two 6×16 %v",
								kc, layout, bl, ow, i, i%ldc, c1[i], c2[i])
						}
					}
				}
			}
		}
	}
	defer func() { wideKernel = true }()
	for _, s := range []struct {
		ta, tb  bool
		m, n, k int
	}{{false, false, 61, 97, 300}, {true, false, 40, 2100, 70}, {false, true, 100, 33, 129}, {true, true, 13, 64, 5}} {
		lda, ldb := s.k, s.n
		if s.ta {
			lda = s.m
		}
		if s.tb {
			ldb = s.k
		}
		a, b := randSlice(r, s.m*s.k), randSlice(r, s.k*s.n)
		c1, c2 := randSlice(r, s.m*s.n), make([]float32, s.m*s.n)
		copy(c2, c1)
		wideKernel = true
		Sgemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 0.5, c1, s.n)
		wideKernel = false
		Sgemm(s.ta, s.tb, s.m, s.n, s.k, 1, a, lda, b, ldb, 0.5, c2, s.n)
		for i := range c1 {
			if c1[i] != c2[i] {
				t.Fatalf("%+v: element %d: with the 6×32 kernel %v, without %v", s, i, c1[i], c2[i])
			}
		}
	}
}

func TestResultsDoNotDependOnThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	// Row-block split, column-block split, and column-panel split (one or
	// two row blocks, as in a convolution chunk), with B stored both ways.
	for _, s := range [][3]int{{500, 300, 700}, {32, 5000, 288}, {32, 1568, 288}, {128, 1000, 300}, {50, 70, 600}} {
		m, n, k := s[0], s[1], s[2]
		for _, tb := range []bool{false, true} {
			ldb := n
			if tb {
				ldb = k
			}
			a, b := randSlice(r, m*k), randSlice(r, k*n)
			var prev []float32
			for _, th := range []int{0, 1, 2, 3} { // 0: SgemmSerial
				c := make([]float32, m*n)
				if th == 0 {
					SgemmSerial(false, tb, m, n, k, 1, a, k, b, ldb, 0, c, n)
				} else {
					SgemmThreads(th, false, tb, m, n, k, 1, a, k, b, ldb, 0, c, n)
				}
				if prev != nil {
					for i := range c {
						if c[i] != prev[i] {
							t.Fatalf("%v tb=%v: element %d differs with %d threads from SgemmSerial", s, tb, i, th)
						}
					}
				}
				prev = c
			}
		}
	}
}

// Reading B in place (few rows of C, or a small A) gives bit for bit the
// products of the packed path, for every shape class the in-place path
// cuts: whole and partial 6-row panels, a last strip narrower than 32
// columns, several K blocks, more rows than columns, alpha ≠ 1 (A packed),
// adding and overwriting.
func TestInPlaceBMatchesPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	defer func(rows, a int) { inPlaceRows, inPlaceMaxA = rows, a }(inPlaceRows, inPlaceMaxA)
	for _, s := range [][3]int{{32, 1568, 288}, {50, 70, 600}, {6, 64, 513}, {128, 441, 1152}, {301, 200, 250}} {
		m, n, k := s[0], s[1], s[2]
		for _, ta := range []bool{false, true} {
			lda := k
			if ta {
				lda = m
			}
			a, b := randSlice(r, m*k), randSlice(r, k*n)
			for _, ab := range [][2]float32{{1, 0}, {0.5, 1}} {
				c0 := randSlice(r, m*n)
				c1, c2 := append([]float32(nil), c0...), append([]float32(nil), c0...)
				inPlaceRows, inPlaceMaxA = 192, 1<<18
				Sgemm(ta, false, m, n, k, ab[0], a, lda, b, n, ab[1], c1, n)
				inPlaceRows, inPlaceMaxA = 0, 0
				Sgemm(ta, false, m, n, k, ab[0], a, lda, b, n, ab[1], c2, n)
				for i := range c1 {
					if c1[i] != c2[i] {
						t.Fatalf("%v ta=%v alpha, beta %v: element %d: in place %v, packed %v", s, ta, ab, i, c1[i], c2[i])
					}
				}
			}
		}
	}
}

// Whole products through the assembly kernel and through the Go kernel, in
// the same binary, agree to float32 rounding for every transpose pair.
func TestSgemmAsmMatchesGoFallback(t *testing.T) {
	if !useAsm {
		t.Skip("assembly kernel not in use on this CPU/build")
	}
	wide := wideKernel
	defer func() { useAsm, wideKernel = true, wide }()
	r := rand.New(rand.NewPCG(11, 12))
	m, n, k := 53, 71, 129
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			a, b := randSlice(r, m*k), randSlice(r, k*n)
			lda, ldb := k, n
			if ta {
				lda = m
			}
			if tb {
				ldb = k
			}
			scale := make([]float32, m*n)
			Reference(ta, tb, m, n, k, 1, absSlice(a), lda, absSlice(b), ldb, 0, scale, n)
			cAsm, cGo := make([]float32, m*n), make([]float32, m*n)
			useAsm, wideKernel = true, wide
			Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, cAsm, n)
			useAsm, wideKernel = false, false
			Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, cGo, n)
			for i := range cAsm {
				if d := math.Abs(float64(cAsm[i] - cGo[i])); d > 4e-7*float64(k+2)*float64(scale[i]) {
					t.Fatalf("ta=%v tb=%v: element %d: asm %v, Go %v", ta, tb, i, cAsm[i], cGo[i])
				}
			}
		}
	}
}

// The packing helpers in assembly agree bit for bit with their Go versions.
func TestPackingHelpersMatchGo(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, kc := range []int{1, 8, 13, 256} {
		const lds = 301
		src := randSlice(r, nr*lds)
		d1, d2 := make([]float32, nr*kc), make([]float32, nr*kc)
		packPanelT(d1, src, lds, kc)
		packPanelTGo(d2, src, lds, kc)
		for i := range d1 {
			if d1[i] != d2[i] {
				t.Fatalf("packPanelT kc=%d: element %d: %v, Go %v", kc, i, d1[i], d2[i])
			}
		}
		row := randSlice(r, 3*nr)
		p1, p2 := make([]float32, 2*kc*nr+nr), make([]float32, 2*kc*nr+nr)
		copyPanels(p1, kc*nr, row)
		copyPanelsGo(p2, kc*nr, row)
		for i := range p1 {
			if p1[i] != p2[i] {
				t.Fatalf("copyPanels kc=%d: element %d: %v, Go %v", kc, i, p1[i], p2[i])
			}
		}
	}
}

// MeasurePeak reports a plausible positive rate exactly when the FMA kernel
// is in use.
func TestMeasurePeakAndBandwidth(t *testing.T) {
	for _, m := range []struct {
		name string
		f    func() float64
		hi   float64
	}{
		{"MeasurePeak(1) GFLOP/s", func() float64 { return MeasurePeak(1, 30*time.Millisecond) }, 1e4},
		{"MeasureReadBandwidth(1, 64 KiB) GB/s", func() float64 { return MeasureReadBandwidth(1, 64<<10, 30*time.Millisecond) }, 1e5},
		{"MeasureWriteBandwidth(1, 64 KiB) GB/s", func() float64 { return MeasureWriteBandwidth(1, 64<<10, 30*time.Millisecond) }, 1e5},
	} {
		v := m.f()
		if !useAsm {
			if v != 0 {
				t.Fatalf("%s = %v without the assembly kernels, want 0", m.name, v)
			}
			continue
		}
		if v < 1 || v > m.hi {
			t.Fatalf("%s = %v, outside 1..%g", m.name, v, m.hi)
		}
	}
	if !useAsm {
		t.Skip("no AVX2+FMA kernels: nothing to measure, both returned 0")
	}
}
