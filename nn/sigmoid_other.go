//go:build !amd64 || noasm

package nn

// hasAVX2 is false where the assembly kernels are not built (other
// architectures, or the noasm build tag).
const hasAVX2 = false

// sigmoidSlice writes 1/(1+e^−src[i]) into dst.
func sigmoidSlice(dst, src []float32) {
	for i, v := range src {
		dst[i] = sigmoid32(v)
	}
}

func adamKernel(d, g, m, v []float32, c *[8]float32) int { return 0 }

func siluGrad(dz, dy, z, s []float32) {
	for i := range dz {
		dz[i] = dy[i] * s[i] * (1 + z[i]*(1-s[i]))
	}
}
