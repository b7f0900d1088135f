//go:build !noasm

package nn

//go:noescape
func gnStatsAVX2(x *float32, n int, k float32, acc *[16]float32)

//go:noescape
func gnAffineAVX2(y, x *float32, n int, a, e float32)

//go:noescape
func mulInPlaceAVX2(y, s *float32, n int)

//go:noescape
func gnBackAVX2(d, dy, x, s *float32, n int, c *[4]float32, acc *[16]float32, silu int)

//go:noescape
func gnDxAVX2(d, x *float32, n int, c *[8]float32)

// The ...SIMD functions run the AVX2 kernels on slices of a multiple of 8
// and report whether they did (false without AVX2 or with useSIMD off).

func gnStatsSIMD(x []float32, k float32, acc *[16]float32) bool {
	if !hasAVX2 || !useSIMD {
		return false
	}
	if len(x) > 0 {
		gnStatsAVX2(&x[0], len(x), k, acc)
	}
	return true
}

func gnAffineSIMD(y, x []float32, a, e float32) bool {
	if !hasAVX2 || !useSIMD {
		return false
	}
	if len(x) > 0 {
		_ = y[len(x)-1]
		gnAffineAVX2(&y[0], &x[0], len(x), a, e)
	}
	return true
}

func mulInPlaceSIMD(y, s []float32) bool {
	if !hasAVX2 || !useSIMD {
		return false
	}
	if len(y) > 0 {
		_ = s[len(y)-1]
		mulInPlaceAVX2(&y[0], &s[0], len(y))
	}
	return true
}

func gnBackSIMD(d, dy, x, s []float32, c *[4]float32, acc *[16]float32, silu bool) bool {
	if !hasAVX2 || !useSIMD {
		return false
	}
	if n := len(d); n > 0 {
		_, _ = dy[n-1], x[n-1]
		sp, flag := &x[0], 0 // s is read only with silu
		if silu {
			_ = s[n-1]
			sp, flag = &s[0], 1
		}
		gnBackAVX2(&d[0], &dy[0], &x[0], sp, n, c, acc, flag)
	}
	return true
}

func gnDxSIMD(d, x []float32, c *[8]float32) bool {
	if !hasAVX2 || !useSIMD {
		return false
	}
	if len(d) > 0 {
		_ = x[len(d)-1]
		gnDxAVX2(&d[0], &x[0], len(d), c)
	}
	return true
}
