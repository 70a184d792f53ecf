//go:build amd64 && !purego

#include "textflag.h"

// The boring bytes (scanner.go) by their high and low four bits. A byte is boring when
// the bit sets of its two halves share a bit: one bit per high half that has boring
// bytes (0: tab, LF, CR; 2: space ! " ' ) , .; 3: ; ?; 6: a-o; 7: p-z), and for each
// low half the bits of the high halves with which it makes a boring byte. Bytes of
// 0x80 and above get nothing from the low table (VPSHUFB gives 0 for them).
DATA boringLo<>+0x00(SB)/8, $0x1a181818181a1a12 // 0-7: ' ' p | ! a q | " b r | c s | d t | e u | f v | ' g w
DATA boringLo<>+0x08(SB)/8, $0x0c0a090a0c191b18 // 8-f: h x | \t ) i y | \n j z | ; k | , l | \r m | . n | ? o
GLOBL boringLo<>(SB), RODATA|NOPTR, $16

DATA boringHi<>+0x00(SB)/8, $0x1008000004020001 // high half 0, 2, 3, 6, 7: bits 0-4
DATA boringHi<>+0x08(SB)/8, $0x0000000000000000
GLOBL boringHi<>(SB), RODATA|NOPTR, $16

DATA nibbles<>+0x00(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibbles<>+0x08(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nibbles<>(SB), RODATA|NOPTR, $16

// BORING sets bit k of BX when byte k of Y0 is not boring: Y1 and Y2 hold the two
// tables, Y3 the low-four-bits mask, Y6 zero.
#define BORING \
	VPSRLW         $4, Y0, Y4 \
	VPAND          Y3, Y4, Y4 \
	VPSHUFB        Y0, Y1, Y5 \
	VPSHUFB        Y4, Y2, Y4 \
	VPAND          Y4, Y5, Y5 \
	VPCMPEQB       Y6, Y5, Y5 \
	VPMOVMSKB      Y5, BX

// func skipBoringVector(text string, i int) int
TEXT ·skipBoringVector(SB), NOSPLIT, $0-32
	MOVQ           text_base+0(FP), SI
	MOVQ           text_len+8(FP), CX
	MOVQ           i+16(FP), AX
	VBROADCASTI128 boringLo<>(SB), Y1
	VBROADCASTI128 boringHi<>(SB), Y2
	VBROADCASTI128 nibbles<>(SB), Y3
	VPXOR          Y6, Y6, Y6

loop:
	LEAQ           32(AX), DX
	CMPQ           DX, CX
	JA             last
	VMOVDQU        (SI)(AX*1), Y0
	BORING
	TESTL          BX, BX
	JNZ            found
	MOVQ           DX, AX
	JMP            loop

last:
	// Fewer than 32 bytes left: the last 32 bytes of text, less those before i.
	CMPQ           AX, CX
	JB             partial
	MOVQ           CX, AX
	JMP            done

partial:
	LEAQ           -32(CX), DX
	VMOVDQU        (SI)(DX*1), Y0
	BORING
	MOVQ           AX, CX
	SUBQ           DX, CX
	SHRL           CX, BX
	TESTL          BX, BX
	JNZ            found
	MOVQ           text_len+8(FP), AX

done:
	VZEROUPPER
	MOVQ           AX, ret+24(FP)
	RET

found:
	BSFL           BX, BX
	ADDQ           BX, AX
	VZEROUPPER
	MOVQ           AX, ret+24(FP)
	RET
