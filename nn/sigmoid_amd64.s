//go:build !noasm

#include "textflag.h"

// Constants for the vector sigmoid (same algorithm as exp32 in mathx.go).
DATA sgLo<>+0(SB)/4, $-87.0
GLOBL sgLo<>(SB), RODATA|NOPTR, $4
DATA sgHi<>+0(SB)/4, $88.0
GLOBL sgHi<>(SB), RODATA|NOPTR, $4
DATA sgLog2e<>+0(SB)/4, $1.44269504088896341
GLOBL sgLog2e<>(SB), RODATA|NOPTR, $4
DATA sgMagic<>+0(SB)/4, $12582912.0
GLOBL sgMagic<>(SB), RODATA|NOPTR, $4
DATA sgLn2hi<>+0(SB)/4, $0.693359375
GLOBL sgLn2hi<>(SB), RODATA|NOPTR, $4
DATA sgLn2lo<>+0(SB)/4, $-2.12194440e-4
GLOBL sgLn2lo<>(SB), RODATA|NOPTR, $4
DATA sgC1<>+0(SB)/4, $1.9875691500e-4
GLOBL sgC1<>(SB), RODATA|NOPTR, $4
DATA sgC2<>+0(SB)/4, $1.3981999507e-3
GLOBL sgC2<>(SB), RODATA|NOPTR, $4
DATA sgC3<>+0(SB)/4, $8.3334519073e-3
GLOBL sgC3<>(SB), RODATA|NOPTR, $4
DATA sgC4<>+0(SB)/4, $4.1665795894e-2
GLOBL sgC4<>(SB), RODATA|NOPTR, $4
DATA sgC5<>+0(SB)/4, $1.6666665459e-1
GLOBL sgC5<>(SB), RODATA|NOPTR, $4
DATA sgC6<>+0(SB)/4, $5.0000001201e-1
GLOBL sgC6<>(SB), RODATA|NOPTR, $4
DATA sgOne<>+0(SB)/4, $1.0
GLOBL sgOne<>(SB), RODATA|NOPTR, $4
DATA sgBits<>+0(SB)/4, $0x4B400000
GLOBL sgBits<>(SB), RODATA|NOPTR, $4

// func sigmoidAVX2(dst, src *float32, n int)
// dst[i] = 1/(1+exp(-src[i])) for i < n; n must be a multiple of 8.
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS sgLo<>(SB), Y8
	VBROADCASTSS sgHi<>(SB), Y9
	VBROADCASTSS sgLog2e<>(SB), Y10
	VBROADCASTSS sgMagic<>(SB), Y11
	VBROADCASTSS sgLn2hi<>(SB), Y12
	VBROADCASTSS sgLn2lo<>(SB), Y13
	VBROADCASTSS sgOne<>(SB), Y14
	VBROADCASTSS sgBits<>(SB), Y15
	VXORPS Y7, Y7, Y7
	TESTQ CX, CX
	JLE done

loop:
	VMOVUPS (SI), Y0
	VSUBPS Y0, Y7, Y0          // v = -x
	VMAXPS Y8, Y0, Y0
	VMINPS Y9, Y0, Y0
	VMULPS Y10, Y0, Y1
	VADDPS Y11, Y1, Y1         // t = v·log2e + magic
	VSUBPS Y11, Y1, Y2         // n = t - magic
	VMULPS Y12, Y2, Y3
	VSUBPS Y3, Y0, Y0
	VMULPS Y13, Y2, Y3
	VSUBPS Y3, Y0, Y0          // r = v - n·ln2hi - n·ln2lo
	VMULPS Y0, Y0, Y4          // r²
	VBROADCASTSS sgC1<>(SB), Y5
	VMULPS Y0, Y5, Y5
	VBROADCASTSS sgC2<>(SB), Y6
	VADDPS Y6, Y5, Y5
	VMULPS Y0, Y5, Y5
	VBROADCASTSS sgC3<>(SB), Y6
	VADDPS Y6, Y5, Y5
	VMULPS Y0, Y5, Y5
	VBROADCASTSS sgC4<>(SB), Y6
	VADDPS Y6, Y5, Y5
	VMULPS Y0, Y5, Y5
	VBROADCASTSS sgC5<>(SB), Y6
	VADDPS Y6, Y5, Y5
	VMULPS Y0, Y5, Y5
	VBROADCASTSS sgC6<>(SB), Y6
	VADDPS Y6, Y5, Y5
	VMULPS Y4, Y5, Y5
	VADDPS Y0, Y5, Y5
	VADDPS Y14, Y5, Y5         // p = poly·r² + r + 1
	VPSUBD Y15, Y1, Y1
	VPSLLD $23, Y1, Y1
	VPADDD Y1, Y5, Y5          // e = p·2ⁿ = exp(-x)
	VADDPS Y14, Y5, Y5
	VDIVPS Y5, Y14, Y5         // 1/(1+e)
	VMOVUPS Y5, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JG loop

done:
	VZEROUPPER
	RET
