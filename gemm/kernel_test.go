package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The assembly micro-kernel and the portable Go kernel agree (to float32
// rounding: the assembly fuses multiply and add).
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
		kernel(kc, a, mr, 1, b, c1, ldc, ow)
		kernelGo(kc, a, mr, 1, b, c2, ldc, ow)
		for i := range c1 {
			if d := math.Abs(float64(c1[i] - c2[i])); d > 1e-5*math.Sqrt(float64(kc)+1)*(1+math.Abs(float64(c2[i]))) {
				t.Fatalf("kc=%d: element %d: asm %v, Go %v", kc, i, c1[i], c2[i])
			}
			if j := i % ldc; j >= nr && c1[i] != c2[i] {
				t.Fatalf("kc=%d: kernel wrote outside its 6×16 tile at column %d", kc, j)
			}
		}
	}
}

// The kernel reading A in place (strides 1 and lda, as for untransposed A)
// gives bit-for-bit the sums of the packed layout, in assembly and in Go.
func TestStridedKernelMatchesPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, kc := range []int{1, 7, 256} {
		const lda = 300
		a, b := randSlice(r, mr*lda), randSlice(r, nr*kc)
		packed := make([]float32, mr*kc)
		for p := 0; p < kc; p++ {
			for i := 0; i < mr; i++ {
				packed[p*mr+i] = a[i*lda+p]
			}
		}
		ldc := nr + 1
		c0 := randSlice(r, mr*ldc)
		for _, k := range []struct {
			name string
			f    func(kc int, a []float32, sp, sr int, b, c []float32, ldc int, overwrite bool)
		}{{"kernel", kernel}, {"kernelGo", kernelGo}} {
			c1, c2 := append([]float32(nil), c0...), append([]float32(nil), c0...)
			k.f(kc, packed, mr, 1, b, c1, ldc, false)
			k.f(kc, a, 1, lda, b, c2, ldc, false)
			for i := range c1 {
				if c1[i] != c2[i] {
					t.Fatalf("%s kc=%d: element %d: packed %v, in place %v", k.name, kc, i, c1[i], c2[i])
				}
			}
		}
	}
}

func TestResultsDoNotDependOnThreads(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	defer SetThreads(Threads())
	// Row-block split, column-block split, and column-panel split (one or
	// two row blocks, as in a convolution chunk), with B stored both ways.
	for _, s := range [][3]int{{500, 300, 700}, {32, 5000, 288}, {32, 1568, 288}, {128, 1000, 300}} {
		m, n, k := s[0], s[1], s[2]
		for _, tb := range []bool{false, true} {
			ldb := n
			if tb {
				ldb = k
			}
			a, b := randSlice(r, m*k), randSlice(r, k*n)
			var prev []float32
			for _, th := range []int{1, 2, 3} {
				SetThreads(th)
				c := make([]float32, m*n)
				Sgemm(false, tb, m, n, k, 1, a, k, b, ldb, 0, c, n)
				if prev != nil {
					for i := range c {
						if c[i] != prev[i] {
							t.Fatalf("%v tb=%v: element %d differs with %d threads", s, tb, i, th)
						}
					}
				}
				prev = c
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
	defer func() { useAsm = true }()
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
			useAsm = true
			Sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, cAsm, n)
			useAsm = false
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
func TestMeasurePeak(t *testing.T) {
	p1 := MeasurePeak(1, 30*time.Millisecond)
	if !useAsm {
		if p1 != 0 {
			t.Fatalf("MeasurePeak = %v without the FMA kernel, want 0", p1)
		}
		t.Skip("no AVX2+FMA kernel: nothing to measure")
	}
	if p1 < 1 || p1 > 1e4 {
		t.Fatalf("MeasurePeak(1) = %v GFLOP/s, outside 1..10000", p1)
	}
}
