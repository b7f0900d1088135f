//go:build !noasm

#include "textflag.h"

// Streaming loops behind MeasureReadBandwidth and MeasureWriteBandwidth.

// func readLoopAVX512(p *float32, n, reps int)
//
// Reads the n floats at p (n a multiple of 128) reps times with 512-bit
// loads into eight accumulators: the cache's read bandwidth.
TEXT ·readLoopAVX512(SB), NOSPLIT, $0-24
	MOVQ   p+0(FP), SI
	MOVQ   n+8(FP), BX
	SHLQ   $2, BX
	MOVQ   reps+16(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	TESTQ  CX, CX
	JZ     rdone512

rrep512:
	XORQ AX, AX

rloop512:
	VADDPS (SI)(AX*1), Z0, Z0
	VADDPS 64(SI)(AX*1), Z1, Z1
	VADDPS 128(SI)(AX*1), Z2, Z2
	VADDPS 192(SI)(AX*1), Z3, Z3
	VADDPS 256(SI)(AX*1), Z4, Z4
	VADDPS 320(SI)(AX*1), Z5, Z5
	VADDPS 384(SI)(AX*1), Z6, Z6
	VADDPS 448(SI)(AX*1), Z7, Z7
	ADDQ   $512, AX
	CMPQ   AX, BX
	JLT    rloop512
	DECQ   CX
	JNZ    rrep512

rdone512:
	VZEROUPPER
	RET

// func readLoopAVX2(p *float32, n, reps int)
//
// readLoopAVX512 with 256-bit loads.
TEXT ·readLoopAVX2(SB), NOSPLIT, $0-24
	MOVQ   p+0(FP), SI
	MOVQ   n+8(FP), BX
	SHLQ   $2, BX
	MOVQ   reps+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	TESTQ  CX, CX
	JZ     rdone256

rrep256:
	XORQ AX, AX

rloop256:
	VADDPS (SI)(AX*1), Y0, Y0
	VADDPS 32(SI)(AX*1), Y1, Y1
	VADDPS 64(SI)(AX*1), Y2, Y2
	VADDPS 96(SI)(AX*1), Y3, Y3
	VADDPS 128(SI)(AX*1), Y4, Y4
	VADDPS 160(SI)(AX*1), Y5, Y5
	VADDPS 192(SI)(AX*1), Y6, Y6
	VADDPS 224(SI)(AX*1), Y7, Y7
	VADDPS 256(SI)(AX*1), Y0, Y0
	VADDPS 288(SI)(AX*1), Y1, Y1
	VADDPS 320(SI)(AX*1), Y2, Y2
	VADDPS 352(SI)(AX*1), Y3, Y3
	VADDPS 384(SI)(AX*1), Y4, Y4
	VADDPS 416(SI)(AX*1), Y5, Y5
	VADDPS 448(SI)(AX*1), Y6, Y6
	VADDPS 480(SI)(AX*1), Y7, Y7
	ADDQ   $512, AX
	CMPQ   AX, BX
	JLT    rloop256
	DECQ   CX
	JNZ    rrep256

rdone256:
	VZEROUPPER
	RET

// func writeLoopAVX512(p *float32, n, reps int)
//
// Stores zeros over the n floats at p (n a multiple of 128) reps times with
// 512-bit stores: the cache's write bandwidth.
TEXT ·writeLoopAVX512(SB), NOSPLIT, $0-24
	MOVQ   p+0(FP), SI
	MOVQ   n+8(FP), BX
	SHLQ   $2, BX
	MOVQ   reps+16(FP), CX
	VPXORD Z0, Z0, Z0
	TESTQ  CX, CX
	JZ     wdone512

wrep512:
	XORQ AX, AX

wloop512:
	VMOVUPS Z0, (SI)(AX*1)
	VMOVUPS Z0, 64(SI)(AX*1)
	VMOVUPS Z0, 128(SI)(AX*1)
	VMOVUPS Z0, 192(SI)(AX*1)
	VMOVUPS Z0, 256(SI)(AX*1)
	VMOVUPS Z0, 320(SI)(AX*1)
	VMOVUPS Z0, 384(SI)(AX*1)
	VMOVUPS Z0, 448(SI)(AX*1)
	ADDQ    $512, AX
	CMPQ    AX, BX
	JLT     wloop512
	DECQ    CX
	JNZ     wrep512

wdone512:
	VZEROUPPER
	RET

// func writeLoopAVX2(p *float32, n, reps int)
//
// writeLoopAVX512 with 256-bit stores.
TEXT ·writeLoopAVX2(SB), NOSPLIT, $0-24
	MOVQ   p+0(FP), SI
	MOVQ   n+8(FP), BX
	SHLQ   $2, BX
	MOVQ   reps+16(FP), CX
	VXORPS Y0, Y0, Y0
	TESTQ  CX, CX
	JZ     wdone256

wrep256:
	XORQ AX, AX

wloop256:
	VMOVUPS Y0, (SI)(AX*1)
	VMOVUPS Y0, 32(SI)(AX*1)
	VMOVUPS Y0, 64(SI)(AX*1)
	VMOVUPS Y0, 96(SI)(AX*1)
	VMOVUPS Y0, 128(SI)(AX*1)
	VMOVUPS Y0, 160(SI)(AX*1)
	VMOVUPS Y0, 192(SI)(AX*1)
	VMOVUPS Y0, 224(SI)(AX*1)
	VMOVUPS Y0, 256(SI)(AX*1)
	VMOVUPS Y0, 288(SI)(AX*1)
	VMOVUPS Y0, 320(SI)(AX*1)
	VMOVUPS Y0, 352(SI)(AX*1)
	VMOVUPS Y0, 384(SI)(AX*1)
	VMOVUPS Y0, 416(SI)(AX*1)
	VMOVUPS Y0, 448(SI)(AX*1)
	VMOVUPS Y0, 480(SI)(AX*1)
	ADDQ    $512, AX
	CMPQ    AX, BX
	JLT     wloop256
	DECQ    CX
	JNZ     wrep256

wdone256:
	VZEROUPPER
	RET
