//go:build !amd64 || noasm

package gemm

var useAsm = false

func kernel(kc int, a, b, c []float32, ldc int) { kernelGo(kc, a, b, c, ldc) }
