//go:build !noasm

#include "textflag.h"

// Dot products of rows of A with rows of B (C = A·Bᵀ for C with few
// columns). Every element is summed in one canonical order, whatever the
// kernel: 16 lanes, lane l accumulating a[p]·b[p] for p ≡ l (mod 16) over
// the whole 16-blocks with fused multiply-adds from zero; then the lanes
// added as t8[l] = s[l]+s[l+8], t4[l] = t8[l]+t8[l+4], t2[l] = t4[l]+t4[l+2],
// s = t2[0]+t2[1]; then the k mod 16 tail fused in, in order. The AVX-512
// kernel holds the 16 lanes in one register, the AVX2 kernel in two (lanes
// 0–7 and 8–15), so both give the same bits.

// HSUM8 reduces the 8 lanes of Y (low half X) to X's lane 0 (t4, t2, s
// above), with T a scratch XMM register.
#define HSUM8(Y, X, T) \
	VEXTRACTF128 $1, Y, T; \
	VADDPS       T, X, X;  \
	VMOVHLPS     X, X, T;  \
	VADDPS       T, X, X;  \
	VMOVSHDUP    X, T;     \
	VADDSS       T, X, X

// HSUM16 reduces the 16 lanes of Z (Y, X its low halves) to X's lane 0.
#define HSUM16(Z, Y, X) \
	VEXTRACTF64X4 $1, Z, Y14; \
	VADDPS        Y14, Y, Y;  \
	HSUM8(Y, X, X14)

// ADDROW adds X (column 0) and Y (column 1) into the C row at DX and moves
// DX to the next row; SETROW stores them instead.
#define ADDROW(X, Y) \
	VADDSS (DX), X, X;  \
	VADDSS 4(DX), Y, Y; \
	VMOVSS X, (DX);     \
	VMOVSS Y, 4(DX);    \
	ADDQ   R8, DX

#define SETROW(X, Y) \
	VMOVSS X, (DX);  \
	VMOVSS Y, 4(DX); \
	ADDQ   R8, DX

// func dot4x2AVX512(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, overwrite int)
//
// c[r·ldc+j] (+)= Σ_p a[r·lda+p]·b[j·ldb+p] for r < 4, j < 2, p < k, in the
// canonical order; with overwrite ≠ 0 the sums replace C.
TEXT ·dot4x2AVX512(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R10
	SHLQ $2, R10
	LEAQ (SI)(R10*1), R9        // row 1
	LEAQ (SI)(R10*2), R11       // row 2
	LEAQ (R11)(R10*1), R13      // row 3
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R12
	SHLQ $2, R12
	LEAQ (DI)(R12*1), R14       // column 1
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R8
	SHLQ $2, R8

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	XORQ   AX, AX               // byte offset along k
	MOVQ   CX, BX
	SHRQ   $4, BX
	JZ     reduce512

loop512:
	VMOVUPS     (DI)(AX*1), Z12
	VMOVUPS     (R14)(AX*1), Z13
	VMOVUPS     (SI)(AX*1), Z8
	VFMADD231PS Z12, Z8, Z0
	VFMADD231PS Z13, Z8, Z1
	VMOVUPS     (R9)(AX*1), Z9
	VFMADD231PS Z12, Z9, Z2
	VFMADD231PS Z13, Z9, Z3
	VMOVUPS     (R11)(AX*1), Z10
	VFMADD231PS Z12, Z10, Z4
	VFMADD231PS Z13, Z10, Z5
	VMOVUPS     (R13)(AX*1), Z11
	VFMADD231PS Z12, Z11, Z6
	VFMADD231PS Z13, Z11, Z7
	ADDQ        $64, AX
	DECQ        BX
	JNZ         loop512

reduce512:
	HSUM16(Z0, Y0, X0)
	HSUM16(Z1, Y1, X1)
	HSUM16(Z2, Y2, X2)
	HSUM16(Z3, Y3, X3)
	HSUM16(Z4, Y4, X4)
	HSUM16(Z5, Y5, X5)
	HSUM16(Z6, Y6, X6)
	HSUM16(Z7, Y7, X7)
	ANDQ $15, CX
	JZ   store512

tail512:
	VMOVSS      (DI)(AX*1), X12
	VMOVSS      (R14)(AX*1), X13
	VMOVSS      (SI)(AX*1), X8
	VFMADD231SS X12, X8, X0
	VFMADD231SS X13, X8, X1
	VMOVSS      (R9)(AX*1), X9
	VFMADD231SS X12, X9, X2
	VFMADD231SS X13, X9, X3
	VMOVSS      (R11)(AX*1), X10
	VFMADD231SS X12, X10, X4
	VFMADD231SS X13, X10, X5
	VMOVSS      (R13)(AX*1), X11
	VFMADD231SS X12, X11, X6
	VFMADD231SS X13, X11, X7
	ADDQ        $4, AX
	DECQ        CX
	JNZ         tail512

store512:
	CMPQ overwrite+56(FP), $0
	JNE  ow512
	ADDROW(X0, X1)
	ADDROW(X2, X3)
	ADDROW(X4, X5)
	ADDROW(X6, X7)
	VZEROUPPER
	RET

ow512:
	SETROW(X0, X1)
	SETROW(X2, X3)
	SETROW(X4, X5)
	SETROW(X6, X7)
	VZEROUPPER
	RET

// func dot2x2AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, overwrite int)
//
// dot4x2AVX512 for 2 rows of A with 256-bit vectors: each element's 16
// lanes in two accumulators (lanes 0–7, 8–15), the same bits.
TEXT ·dot2x2AVX2(SB), NOSPLIT, $0-64
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R10
	SHLQ $2, R10
	LEAQ (SI)(R10*1), R9        // row 1
	MOVQ b+24(FP), DI
	MOVQ ldb+32(FP), R12
	SHLQ $2, R12
	LEAQ (DI)(R12*1), R14       // column 1
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R8
	SHLQ $2, R8

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ   AX, AX
	MOVQ   CX, BX
	SHRQ   $4, BX
	JZ     reduce256

loop256:
	VMOVUPS     (DI)(AX*1), Y12
	VMOVUPS     32(DI)(AX*1), Y13
	VMOVUPS     (R14)(AX*1), Y14
	VMOVUPS     32(R14)(AX*1), Y15
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     32(SI)(AX*1), Y9
	VFMADD231PS Y12, Y8, Y0
	VFMADD231PS Y13, Y9, Y1
	VFMADD231PS Y14, Y8, Y2
	VFMADD231PS Y15, Y9, Y3
	VMOVUPS     (R9)(AX*1), Y10
	VMOVUPS     32(R9)(AX*1), Y11
	VFMADD231PS Y12, Y10, Y4
	VFMADD231PS Y13, Y11, Y5
	VFMADD231PS Y14, Y10, Y6
	VFMADD231PS Y15, Y11, Y7
	ADDQ        $64, AX
	DECQ        BX
	JNZ         loop256

reduce256:
	// t8 = lanes 0–7 + lanes 8–15, then as HSUM8.
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y5, Y4, Y4
	VADDPS Y7, Y6, Y6
	HSUM8(Y0, X0, X14)
	HSUM8(Y2, X2, X14)
	HSUM8(Y4, X4, X14)
	HSUM8(Y6, X6, X14)
	ANDQ $15, CX
	JZ   store256

tail256:
	VMOVSS      (DI)(AX*1), X12
	VMOVSS      (R14)(AX*1), X13
	VMOVSS      (SI)(AX*1), X8
	VFMADD231SS X12, X8, X0
	VFMADD231SS X13, X8, X2
	VMOVSS      (R9)(AX*1), X9
	VFMADD231SS X12, X9, X4
	VFMADD231SS X13, X9, X6
	ADDQ        $4, AX
	DECQ        CX
	JNZ         tail256

store256:
	CMPQ overwrite+56(FP), $0
	JNE  ow256
	ADDROW(X0, X2)
	ADDROW(X4, X6)
	VZEROUPPER
	RET

ow256:
	SETROW(X0, X2)
	SETROW(X4, X6)
	VZEROUPPER
	RET

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
