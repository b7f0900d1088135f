//go:build !noasm

#include "textflag.h"

// func adamAVX2(d, gr, m, v *float32, n int, c *[8]float32)
// With c = [β1, 1−β1, β2, 1−β2, stepSize, 1/√bc2, ε, _], for i < n (a
// multiple of 8): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
// d −= stepSize·m / (√v·(1/√bc2) + ε).
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), AX
	VBROADCASTSS 0(AX), Y8
	VBROADCASTSS 4(AX), Y9
	VBROADCASTSS 8(AX), Y10
	VBROADCASTSS 12(AX), Y11
	VBROADCASTSS 16(AX), Y12
	VBROADCASTSS 20(AX), Y13
	VBROADCASTSS 24(AX), Y14
	TESTQ CX, CX
	JLE adone

aloop:
	VMOVUPS (SI), Y0           // g
	VMOVUPS (R8), Y1           // m
	VMOVUPS (R9), Y2           // v
	VMULPS Y8, Y1, Y1
	VMULPS Y9, Y0, Y3
	VADDPS Y3, Y1, Y1          // m = β1·m + (1−β1)·g
	VMULPS Y0, Y0, Y3
	VMULPS Y11, Y3, Y3
	VMULPS Y10, Y2, Y2
	VADDPS Y3, Y2, Y2          // v = β2·v + (1−β2)·g²
	VMOVUPS Y1, (R8)
	VMOVUPS Y2, (R9)
	VSQRTPS Y2, Y4
	VMULPS Y13, Y4, Y4
	VADDPS Y14, Y4, Y4         // √v/√bc2 + ε
	VMULPS Y12, Y1, Y5
	VDIVPS Y4, Y5, Y5          // stepSize·m / (...)
	VMOVUPS (DI), Y6
	VSUBPS Y5, Y6, Y6
	VMOVUPS Y6, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	SUBQ $8, CX
	JG aloop

adone:
	VZEROUPPER
	RET

// func siluGradAVX2(dz, dy, z, s *float32, n int)
// dz = dy·s·(1 + z·(1−s)) for i < n (a multiple of 8).
TEXT ·siluGradAVX2(SB), NOSPLIT, $0-40
	MOVQ dz+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ z+16(FP), R8
	MOVQ s+24(FP), R9
	MOVQ n+32(FP), CX
	MOVL $0x3f800000, AX
	MOVL AX, X15
	VBROADCASTSS X15, Y15      // 1.0
	TESTQ CX, CX
	JLE sdone

sloop:
	VMOVUPS (R9), Y0           // s
	VSUBPS Y0, Y15, Y1         // 1−s
	VMULPS (R8), Y1, Y1        // z·(1−s)
	VADDPS Y15, Y1, Y1         // 1 + z·(1−s)
	VMULPS Y0, Y1, Y1
	VMULPS (SI), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	SUBQ $8, CX
	JG sloop

sdone:
	VZEROUPPER
	RET
