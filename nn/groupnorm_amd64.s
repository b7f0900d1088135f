//go:build !noasm

#include "textflag.h"

// GroupNorm's per-channel loops, eight positions at a time, with plain
// multiplies and adds in the order of the portable versions in
// groupnorm_kernels.go (which keep the same eight partial sums), so both
// give the same bits. n is a multiple of 8 in every kernel.

// func gnStatsAVX2(x *float32, n int, k float32, acc *[16]float32)
// acc[0:8] = lane sums of (x−k), acc[8:16] = lane sums of (x−k)².
TEXT ·gnStatsAVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS k+16(FP), Y15
	MOVQ         acc+24(FP), DI
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	TESTQ        CX, CX
	JLE          stdone

stloop:
	VMOVUPS (SI), Y2
	VSUBPS  Y15, Y2, Y2        // x−k
	VADDPS  Y2, Y0, Y0
	VMULPS  Y2, Y2, Y3
	VADDPS  Y3, Y1, Y1
	ADDQ    $32, SI
	SUBQ    $8, CX
	JG      stloop

stdone:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VZEROUPPER
	RET

// func gnAffineAVX2(y, x *float32, n int, a, e float32)
// y = a·x + e.
TEXT ·gnAffineAVX2(SB), NOSPLIT, $0-32
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS a+24(FP), Y14
	VBROADCASTSS e+28(FP), Y15
	TESTQ        CX, CX
	JLE          afdone

afloop:
	VMULPS  (SI), Y14, Y0
	VADDPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JG      afloop

afdone:
	VZEROUPPER
	RET

// func mulInPlaceAVX2(y, s *float32, n int)
// y = y·s.
TEXT ·mulInPlaceAVX2(SB), NOSPLIT, $0-24
	MOVQ  y+0(FP), DI
	MOVQ  s+8(FP), SI
	MOVQ  n+16(FP), CX
	TESTQ CX, CX
	JLE   mudone

muloop:
	VMOVUPS (DI), Y0
	VMULPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JG      muloop

mudone:
	VZEROUPPER
	RET

// func gnBackAVX2(d, dy, x, s *float32, n int, c *[4]float32, acc *[16]float32, silu int)
// With c = [a, e, mean, rstd]: d = dy, or with silu ≠ 0
// d = ((1 + z·(1−sg))·sg)·dy with z = a·x + e, sg = s; then
// acc[0:8] = lane sums of d·((x−mean)·rstd), acc[8:16] = lane sums of d.
TEXT ·gnBackAVX2(SB), NOSPLIT, $0-64
	MOVQ         d+0(FP), DI
	MOVQ         dy+8(FP), SI
	MOVQ         x+16(FP), R8
	MOVQ         s+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         c+40(FP), AX
	VBROADCASTSS 0(AX), Y10    // a
	VBROADCASTSS 4(AX), Y11    // e
	VBROADCASTSS 8(AX), Y12    // mean
	VBROADCASTSS 12(AX), Y13   // rstd
	MOVL         $0x3f800000, DX
	MOVL         DX, X15
	VBROADCASTSS X15, Y15      // 1.0
	MOVQ         silu+56(FP), BX
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	TESTQ        CX, CX
	JLE          bkdone

bkloop:
	VMOVUPS (R8), Y2           // x
	VMOVUPS (SI), Y3           // dy
	TESTQ   BX, BX
	JZ      bkplain
	VMULPS  Y2, Y10, Y4        // a·x
	VADDPS  Y11, Y4, Y4        // z
	VMOVUPS (R9), Y5           // sg
	VSUBPS  Y5, Y15, Y6        // 1−sg
	VMULPS  Y6, Y4, Y6         // z·(1−sg)
	VADDPS  Y15, Y6, Y6        // 1 + z·(1−sg)
	VMULPS  Y5, Y6, Y6         // ·sg
	VMULPS  Y3, Y6, Y3         // ·dy

bkplain:
	VMOVUPS Y3, (DI)
	VSUBPS  Y12, Y2, Y2        // x−mean
	VMULPS  Y13, Y2, Y2        // x̂
	VMULPS  Y2, Y3, Y2         // d·x̂
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $8, CX
	JG      bkloop

bkdone:
	MOVQ    acc+48(FP), AX
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, 32(AX)
	VZEROUPPER
	RET

// func gnDxAVX2(d, x *float32, n int, c *[8]float32)
// With c = [mean, rstd, γ, m1, m2]: d = rstd·((γ·d − m1) − ((x−mean)·rstd)·m2).
TEXT ·gnDxAVX2(SB), NOSPLIT, $0-32
	MOVQ         d+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVQ         c+24(FP), AX
	VBROADCASTSS 0(AX), Y10    // mean
	VBROADCASTSS 4(AX), Y11    // rstd
	VBROADCASTSS 8(AX), Y12    // γ
	VBROADCASTSS 12(AX), Y13   // m1
	VBROADCASTSS 16(AX), Y14   // m2
	TESTQ        CX, CX
	JLE          dxdone

dxloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y10, Y0, Y0        // x−mean
	VMULPS  Y11, Y0, Y0        // q
	VMULPS  Y14, Y0, Y0        // q·m2
	VMULPS  (DI), Y12, Y1      // γ·d
	VSUBPS  Y13, Y1, Y1        // γ·d − m1
	VSUBPS  Y0, Y1, Y1         // − q·m2
	VMULPS  Y11, Y1, Y1        // ·rstd
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JG      dxloop

dxdone:
	VZEROUPPER
	RET
