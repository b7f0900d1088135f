package nn

//go:noescape
func sigmoidAVX2(dst, src *float32, n int)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// hasAVX2 reports AVX2 support by the CPU and the OS (YMM state enabled).
var hasAVX2 = func() bool {
	max, _, _, _ := cpuid(0, 0)
	if max < 7 {
		return false
	}
	_, _, c1, _ := cpuid(1, 0)
	if c1&(1<<27) == 0 || c1&(1<<28) == 0 { // OSXSAVE, AVX
		return false
	}
	if eax, _ := xgetbv(); eax&6 != 6 {
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0
}()

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
