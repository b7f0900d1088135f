//go:build !amd64 || noasm

package gemm

var useAsm = false

// wideKernel: no 6×32 kernel without assembly.
var wideKernel = false

func kernel2(kc int, a []float32, sp, sr int, b []float32, sb, bo int, c []float32, ldc int, overwrite bool) {
	kernelGo(kc, a, sp, sr, b, sb, c, ldc, overwrite)
	kernelGo(kc, a, sp, sr, b[bo:], sb, c[nr:], ldc, overwrite)
}

func kernel(kc int, a []float32, sp, sr int, b []float32, sb int, c []float32, ldc int, overwrite bool) {
	kernelGo(kc, a, sp, sr, b, sb, c, ldc, overwrite)
}

func copyPanels(dst []float32, stride int, src []float32) { copyPanelsGo(dst, stride, src) }

func packPanelT(dst, src []float32, lds, kc int) { packPanelTGo(dst, src, lds, kc) }

func fmaLoop(int) bool { return false }

func streamLoop([]float32, int, bool) bool { return false }

func smallKKernel(int, []float32, int, int, []float32, int, []float32, int, int, int, bool) {
	panic("gemm: small-K kernel without assembly")
}

func fewRowsKernel(int, []float32, int, int, []float32, int, []float32, int, int, int, bool) {
	panic("gemm: few-rows kernel without assembly")
}

func fewRows16Kernel(int, []float32, int, int, []float32, int, []float32, int, int, bool) {
	panic("gemm: few-rows kernel without assembly")
}
