package gemm

// Register-tile sizes of the micro-kernel: MR rows of A by NR columns of B.
const (
	mr = 6
	nr = 16
)

// kernelGo is the portable micro-kernel: c[r*ldc+j] += Σ_p a[sp·p+sr·r]·b[sb·p+j]
// for r < 6, j < 16, with the same layouts as the assembly kernel: A with
// strides (sp, sr) = (6, 1) when packed or (1, lda) in place, B packed
// (sb = 16) or in place (sb = ldb). With overwrite the sums replace C
// instead of adding to it.
func kernelGo(kc int, a []float32, sp, sr int, b []float32, sb int, c []float32, ldc int, overwrite bool) {
	var acc [mr][nr]float32
	for p := 0; p < kc; p++ {
		bp := b[p*sb : p*sb+nr : p*sb+nr]
		for r := 0; r < mr; r++ {
			av := a[p*sp+r*sr]
			row := &acc[r]
			for j := 0; j < nr; j++ {
				row[j] += av * bp[j]
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
