//go:build !noasm

package nn

import "golang.org/x/sys/cpu"

//go:noescape
func sigmoidAVX2(dst, src *float32, n int)

// hasAVX2 reports AVX2 support by the CPU and the OS (YMM state enabled),
// as golang.org/x/sys/cpu detects it for the whole module.
var hasAVX2 = cpu.X86.HasAVX2

// sigmoidSlice writes 1/(1+e^−src[i]) into dst, eight at a time with AVX2
// where available.
func sigmoidSlice(dst, src []float32) {
	n := len(src)
	dst = dst[:n]
	i := 0
	if hasAVX2 && useSIMD && n >= 8 {
		i = n &^ 7
		sigmoidAVX2(&dst[0], &src[0], i)
	}
	for ; i < n; i++ {
		dst[i] = sigmoid32(src[i])
	}
}

//go:noescape
func adamAVX2(d, gr, m, v *float32, n int, c *[8]float32)

//go:noescape
func siluGradAVX2(dz, dy, z, s *float32, n int)

// adamKernel applies the bias-corrected Adam update to d[:n] (see
// adamAVX2) and returns how many leading elements it handled.
func adamKernel(d, g, m, v []float32, c *[8]float32) int {
	n := len(d) &^ 7
	if !hasAVX2 || !useSIMD || n == 0 {
		return 0
	}
	adamAVX2(&d[0], &g[0], &m[0], &v[0], n, c)
	return n
}

// siluGrad writes dz = dy·s·(1 + z·(1−s)), the SiLU derivative chain rule
// given s = sigmoid(z).
func siluGrad(dz, dy, z, s []float32) {
	n := len(dz)
	i := 0
	if hasAVX2 && useSIMD && n >= 8 {
		i = n &^ 7
		siluGradAVX2(&dz[0], &dy[0], &z[0], &s[0], i)
	}
	for ; i < n; i++ {
		dz[i] = dy[i] * s[i] * (1 + z[i]*(1-s[i]))
	}
}
