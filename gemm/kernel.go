package gemm

// Register-tile sizes of the micro-kernel: MR rows of A by NR columns of B.
const (
	mr = 6
	nr = 16
)

// kernelGo is the portable micro-kernel: c[r*ldc+j] += Σ_p a[6p+r]·b[16p+j]
// for r < 6, j < 16, with the same packed layouts as the assembly kernel.
func kernelGo(kc int, a, b, c []float32, ldc int) {
	var acc [mr][nr]float32
	for p := 0; p < kc; p++ {
		ap := a[p*mr : p*mr+mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr : p*nr+nr]
		for r := 0; r < mr; r++ {
			av := ap[r]
			row := &acc[r]
			for j := 0; j < nr; j++ {
				row[j] += av * bp[j]
			}
		}
	}
	for r := 0; r < mr; r++ {
		row := c[r*ldc : r*ldc+nr]
		for j := range row {
			row[j] += acc[r][j]
		}
	}
}
