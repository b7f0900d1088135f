package gemm

import "math"

// Register-tile sizes of the micro-kernel: MR rows of A by NR columns of B.
const (
	mr = 6
	nr = 16
)

// kernelGo is the portable micro-kernel: c[r*ldc+j] += Σ_p a[sp·p+sr·r]·b[sb·p+j]
// for r < 6, j < 16, with the same layouts as the assembly kernel: A with
// strides (sp, sr) = (6, 1) when packed or (1, lda) in place, B packed
// (sb = 16) or in place (sb = ldb). With overwrite the sums replace C
// instead of adding to it. Each element is the assembly kernels' sum bit
// for bit: the float32 FMA chain from zero over p (fma32), then set or
// added.
func kernelGo(kc int, a []float32, sp, sr int, b []float32, sb int, c []float32, ldc int, overwrite bool) {
	var acc [mr][nr]float32
	for p := 0; p < kc; p++ {
		bp := b[p*sb : p*sb+nr : p*sb+nr]
		for r := 0; r < mr; r++ {
			av := a[p*sp+r*sr]
			row := &acc[r]
			for j := 0; j < nr; j++ {
				// fma32, its common case written out (inlined).
				s := float64(av)*float64(bp[j]) + float64(row[j])
				if math.Float64bits(s)&(1<<29-1) != 1<<28 && (math.Abs(s) >= 0x1p-126 || s == 0) {
					row[j] = float32(s)
					continue
				}
				row[j] = fma32Tie(av, bp[j], row[j])
			}
		}
	}
	for r := 0; r < mr; r++ {
		row := c[r*ldc : r*ldc+nr]
		if overwrite {
			copy(row, acc[r][:])
			continue
		}
		for j := range row {
			row[j] += acc[r][j]
		}
	}
}

// copyPanelsGo copies src, len(src)/nr groups of nr values, into dst: group
// g goes to dst[g·stride : g·stride+nr].
func copyPanelsGo(dst []float32, stride int, src []float32) {
	for g := 0; g+nr <= len(src); g += nr {
		d := dst[g/nr*stride : g/nr*stride+nr : g/nr*stride+nr]
		for j, v := range src[g : g+nr] {
			d[j] = v
		}
	}
}

// packPanelTGo packs a full nr-wide panel from nr rows of a transposed B
// (row stride lds): dst[nr·p+j] = src[j·lds+p] for j < nr, p < kc.
func packPanelTGo(dst, src []float32, lds, kc int) {
	for j := 0; j < nr; j++ {
		for p, v := range src[j*lds : j*lds+kc] {
			dst[p*nr+j] = v
		}
	}
}

// fma32 is float32's fused multiply-add a·b + c with one rounding (to
// nearest, ties to even), as VFMADD231PS computes it. a·b is exact in
// float64 (24 + 24 significant bits); s = a·b + c rounded to float64 and its
// error e (TwoSum, exact) give the exact sum s + e. Rounding s to float32
// is then right unless s lies exactly halfway between two float32 values
// and e ≠ 0 (double rounding): the sum is then past the tie on e's side.
func fma32(a, b, c float32) float32 {
	s := float64(a)*float64(b) + float64(c)
	// Not a float32 tie (the 29 bits below float32's last one are not
	// 1000…0) and within float32's normal range (or zero): one rounding
	// suffices.
	if math.Float64bits(s)&(1<<29-1) != 1<<28 && (math.Abs(s) >= 0x1p-126 || s == 0) {
		return float32(s)
	}
	return fma32Tie(a, b, c)
}

// fma32Tie is fma32 where s may be a float32 tie or outside float32's
// normal range.
func fma32Tie(a, b, c float32) float32 {
	p, q := float64(a)*float64(b), float64(c)
	s := p + q
	r := float32(s)
	if float64(r) == s || math.IsInf(s, 0) || math.IsNaN(s) {
		return r
	}
	bb := s - p
	e := (p - (s - bb)) + (q - bb)
	if e == 0 {
		return r
	}
	// The float32 neighbour of s on the other side from r.
	other := math.Nextafter32(r, float32(math.Inf(1)))
	if float64(r) > s {
		other = math.Nextafter32(r, float32(math.Inf(-1)))
	}
	if float64(r)+float64(other) != 2*s {
		return r // not a tie: s rounds as the exact sum does
	}
	if (e > 0) == (float64(other) > float64(r)) {
		return other
	}
	return r
}
