//go:build !noasm

#include "textflag.h"

// fewRows{R}{AVX512,AVX2}: C[r, j] (+)= Σ_p a[sp·p+sr·r]·b[ldb·p+j] for
// r < R, p < kc and j < W·chunks (W = 32 with AVX-512, 16 with AVX2): per
// element the micro-kernels' FMA chain (from zero, p in order), then set or
// added, so the results are those of the 6-row tile bit for bit without its
// zero-padded rows. B is read in place (two vectors per row of B,
// prefetched 8 rows ahead), A's values broadcast; R ≤ 4 rows.

// func fewRows1AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows1AVX512(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr1zdone

fr1zchunk:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	MOVQ SI, AX
	MOVQ DI, R14
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr1zstore

fr1zloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Z8
	VMOVUPS      64(R14), Z9
	VBROADCASTSS (AX), Z10
	VFMADD231PS  Z8, Z10, Z0
	VFMADD231PS  Z9, Z10, Z1
	ADDQ         R9, AX
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr1zloop

fr1zstore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr1zset
	VADDPS  (R11), Z0, Z0
	VADDPS  64(R11), Z1, Z1
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	JMP     fr1znext

fr1zset:
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)

fr1znext:
	ADDQ $(32*4), DI
	ADDQ $(32*4), DX
	DECQ CX
	JNZ  fr1zchunk

fr1zdone:
	VZEROUPPER
	RET

// func fewRows2AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows2AVX512(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr2zdone

fr2zchunk:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	MOVQ SI, AX
	MOVQ DI, R14
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr2zstore

fr2zloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Z8
	VMOVUPS      64(R14), Z9
	VBROADCASTSS (AX), Z10
	VFMADD231PS  Z8, Z10, Z0
	VFMADD231PS  Z9, Z10, Z1
	VBROADCASTSS (AX)(R10*1), Z11
	VFMADD231PS  Z8, Z11, Z2
	VFMADD231PS  Z9, Z11, Z3
	ADDQ         R9, AX
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr2zloop

fr2zstore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr2zset
	VADDPS  (R11), Z0, Z0
	VADDPS  64(R11), Z1, Z1
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Z2, Z2
	VADDPS  64(R11), Z3, Z3
	VMOVUPS Z2, (R11)
	VMOVUPS Z3, 64(R11)
	JMP     fr2znext

fr2zset:
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	ADDQ    R8, R11
	VMOVUPS Z2, (R11)
	VMOVUPS Z3, 64(R11)

fr2znext:
	ADDQ $(32*4), DI
	ADDQ $(32*4), DX
	DECQ CX
	JNZ  fr2zchunk

fr2zdone:
	VZEROUPPER
	RET

// func fewRows3AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows3AVX512(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr3zdone

fr3zchunk:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	MOVQ SI, AX
	MOVQ DI, R14
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr3zstore

fr3zloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Z8
	VMOVUPS      64(R14), Z9
	VBROADCASTSS (AX), Z10
	VFMADD231PS  Z8, Z10, Z0
	VFMADD231PS  Z9, Z10, Z1
	VBROADCASTSS (AX)(R10*1), Z11
	VFMADD231PS  Z8, Z11, Z2
	VFMADD231PS  Z9, Z11, Z3
	VBROADCASTSS (AX)(R10*2), Z10
	VFMADD231PS  Z8, Z10, Z4
	VFMADD231PS  Z9, Z10, Z5
	ADDQ         R9, AX
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr3zloop

fr3zstore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr3zset
	VADDPS  (R11), Z0, Z0
	VADDPS  64(R11), Z1, Z1
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Z2, Z2
	VADDPS  64(R11), Z3, Z3
	VMOVUPS Z2, (R11)
	VMOVUPS Z3, 64(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Z4, Z4
	VADDPS  64(R11), Z5, Z5
	VMOVUPS Z4, (R11)
	VMOVUPS Z5, 64(R11)
	JMP     fr3znext

fr3zset:
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	ADDQ    R8, R11
	VMOVUPS Z2, (R11)
	VMOVUPS Z3, 64(R11)
	ADDQ    R8, R11
	VMOVUPS Z4, (R11)
	VMOVUPS Z5, 64(R11)

fr3znext:
	ADDQ $(32*4), DI
	ADDQ $(32*4), DX
	DECQ CX
	JNZ  fr3zchunk

fr3zdone:
	VZEROUPPER
	RET

// func fewRows4AVX512(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows4AVX512(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr4zdone

fr4zchunk:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	MOVQ SI, AX
	MOVQ DI, R14
	LEAQ (AX)(R10*2), R13
	ADDQ R10, R13
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr4zstore

fr4zloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Z8
	VMOVUPS      64(R14), Z9
	VBROADCASTSS (AX), Z10
	VFMADD231PS  Z8, Z10, Z0
	VFMADD231PS  Z9, Z10, Z1
	VBROADCASTSS (AX)(R10*1), Z11
	VFMADD231PS  Z8, Z11, Z2
	VFMADD231PS  Z9, Z11, Z3
	VBROADCASTSS (AX)(R10*2), Z10
	VFMADD231PS  Z8, Z10, Z4
	VFMADD231PS  Z9, Z10, Z5
	VBROADCASTSS (R13), Z11
	VFMADD231PS  Z8, Z11, Z6
	VFMADD231PS  Z9, Z11, Z7
	ADDQ         R9, AX
	ADDQ         R9, R13
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr4zloop

fr4zstore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr4zset
	VADDPS  (R11), Z0, Z0
	VADDPS  64(R11), Z1, Z1
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Z2, Z2
	VADDPS  64(R11), Z3, Z3
	VMOVUPS Z2, (R11)
	VMOVUPS Z3, 64(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Z4, Z4
	VADDPS  64(R11), Z5, Z5
	VMOVUPS Z4, (R11)
	VMOVUPS Z5, 64(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Z6, Z6
	VADDPS  64(R11), Z7, Z7
	VMOVUPS Z6, (R11)
	VMOVUPS Z7, 64(R11)
	JMP     fr4znext

fr4zset:
	VMOVUPS Z0, (R11)
	VMOVUPS Z1, 64(R11)
	ADDQ    R8, R11
	VMOVUPS Z2, (R11)
	VMOVUPS Z3, 64(R11)
	ADDQ    R8, R11
	VMOVUPS Z4, (R11)
	VMOVUPS Z5, 64(R11)
	ADDQ    R8, R11
	VMOVUPS Z6, (R11)
	VMOVUPS Z7, 64(R11)

fr4znext:
	ADDQ $(32*4), DI
	ADDQ $(32*4), DX
	DECQ CX
	JNZ  fr4zchunk

fr4zdone:
	VZEROUPPER
	RET

// func fewRows1AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows1AVX2(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr1ydone

fr1ychunk:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ SI, AX
	MOVQ DI, R14
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr1ystore

fr1yloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Y8
	VMOVUPS      32(R14), Y9
	VBROADCASTSS (AX), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	ADDQ         R9, AX
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr1yloop

fr1ystore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr1yset
	VADDPS  (R11), Y0, Y0
	VADDPS  32(R11), Y1, Y1
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	JMP     fr1ynext

fr1yset:
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)

fr1ynext:
	ADDQ $(16*4), DI
	ADDQ $(16*4), DX
	DECQ CX
	JNZ  fr1ychunk

fr1ydone:
	VZEROUPPER
	RET

// func fewRows2AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows2AVX2(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr2ydone

fr2ychunk:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ SI, AX
	MOVQ DI, R14
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr2ystore

fr2yloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Y8
	VMOVUPS      32(R14), Y9
	VBROADCASTSS (AX), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (AX)(R10*1), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	ADDQ         R9, AX
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr2yloop

fr2ystore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr2yset
	VADDPS  (R11), Y0, Y0
	VADDPS  32(R11), Y1, Y1
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Y2, Y2
	VADDPS  32(R11), Y3, Y3
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, 32(R11)
	JMP     fr2ynext

fr2yset:
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ    R8, R11
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, 32(R11)

fr2ynext:
	ADDQ $(16*4), DI
	ADDQ $(16*4), DX
	DECQ CX
	JNZ  fr2ychunk

fr2ydone:
	VZEROUPPER
	RET

// func fewRows3AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows3AVX2(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr3ydone

fr3ychunk:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	MOVQ SI, AX
	MOVQ DI, R14
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr3ystore

fr3yloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Y8
	VMOVUPS      32(R14), Y9
	VBROADCASTSS (AX), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (AX)(R10*1), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS (AX)(R10*2), Y10
	VFMADD231PS  Y8, Y10, Y4
	VFMADD231PS  Y9, Y10, Y5
	ADDQ         R9, AX
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr3yloop

fr3ystore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr3yset
	VADDPS  (R11), Y0, Y0
	VADDPS  32(R11), Y1, Y1
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Y2, Y2
	VADDPS  32(R11), Y3, Y3
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, 32(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Y4, Y4
	VADDPS  32(R11), Y5, Y5
	VMOVUPS Y4, (R11)
	VMOVUPS Y5, 32(R11)
	JMP     fr3ynext

fr3yset:
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ    R8, R11
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, 32(R11)
	ADDQ    R8, R11
	VMOVUPS Y4, (R11)
	VMOVUPS Y5, 32(R11)

fr3ynext:
	ADDQ $(16*4), DI
	ADDQ $(16*4), DX
	DECQ CX
	JNZ  fr3ychunk

fr3ydone:
	VZEROUPPER
	RET

// func fewRows4AVX2(kc int, a *float32, sp, sr int, b *float32, ldb int, c *float32, ldc, chunks, overwrite int)
TEXT ·fewRows4AVX2(SB), NOSPLIT, $0-80
	MOVQ a+8(FP), SI
	MOVQ sp+16(FP), R9
	SHLQ $2, R9
	MOVQ sr+24(FP), R10
	SHLQ $2, R10
	MOVQ b+32(FP), DI
	MOVQ ldb+40(FP), R12
	SHLQ $2, R12
	MOVQ c+48(FP), DX
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	MOVQ chunks+64(FP), CX
	TESTQ CX, CX
	JZ   fr4ydone

fr4ychunk:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	MOVQ SI, AX
	MOVQ DI, R14
	LEAQ (AX)(R10*2), R13
	ADDQ R10, R13
	MOVQ kc+0(FP), BX
	TESTQ BX, BX
	JZ   fr4ystore

fr4yloop:
	PREFETCHT0   (R14)(R12*8)
	VMOVUPS      (R14), Y8
	VMOVUPS      32(R14), Y9
	VBROADCASTSS (AX), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (AX)(R10*1), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS (AX)(R10*2), Y10
	VFMADD231PS  Y8, Y10, Y4
	VFMADD231PS  Y9, Y10, Y5
	VBROADCASTSS (R13), Y11
	VFMADD231PS  Y8, Y11, Y6
	VFMADD231PS  Y9, Y11, Y7
	ADDQ         R9, AX
	ADDQ         R9, R13
	ADDQ         R12, R14
	DECQ         BX
	JNZ          fr4yloop

fr4ystore:
	MOVQ DX, R11
	CMPQ overwrite+72(FP), $0
	JNE  fr4yset
	VADDPS  (R11), Y0, Y0
	VADDPS  32(R11), Y1, Y1
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Y2, Y2
	VADDPS  32(R11), Y3, Y3
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, 32(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Y4, Y4
	VADDPS  32(R11), Y5, Y5
	VMOVUPS Y4, (R11)
	VMOVUPS Y5, 32(R11)
	ADDQ    R8, R11
	VADDPS  (R11), Y6, Y6
	VADDPS  32(R11), Y7, Y7
	VMOVUPS Y6, (R11)
	VMOVUPS Y7, 32(R11)
	JMP     fr4ynext

fr4yset:
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ    R8, R11
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, 32(R11)
	ADDQ    R8, R11
	VMOVUPS Y4, (R11)
	VMOVUPS Y5, 32(R11)
	ADDQ    R8, R11
	VMOVUPS Y6, (R11)
	VMOVUPS Y7, 32(R11)

fr4ynext:
	ADDQ $(16*4), DI
	ADDQ $(16*4), DX
	DECQ CX
	JNZ  fr4ychunk

fr4ydone:
	VZEROUPPER
	RET
