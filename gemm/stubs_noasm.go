//go:build !amd64 || noasm

package gemm

var useAsm = false

func kernel(kc int, a []float32, sp, sr int, b, c []float32, ldc int, overwrite bool) {
	kernelGo(kc, a, sp, sr, b, c, ldc, overwrite)
}

func copyPanels(dst []float32, stride int, src []float32) { copyPanelsGo(dst, stride, src) }

func packPanelT(dst, src []float32, lds, kc int) { packPanelTGo(dst, src, lds, kc) }

func fmaLoop(int) bool { return false }
