//go:build !amd64

package nn

// sigmoidSlice writes 1/(1+e^−src[i]) into dst.
func sigmoidSlice(dst, src []float32) {
	for i, v := range src {
		dst[i] = sigmoid32(v)
	}
}
