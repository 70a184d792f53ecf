//go:build amd64 && !purego

#include "textflag.h"

// The boring bytes (scanner.go) by their high and low four bits. A byte is boring when
// the bit sets of its two halves share a bit: one bit per high half that has boring
// bytes (0: tab, LF, CR; 2: space ! " # $ & ' ) * , .; 3: ; ?; 5: [ ]; 6: ` a-o;
// 7: p-z |), and for each low half the bits of the high halves with which it makes a
// boring byte. Bytes of 0x80 and above (UTF-8 beyond ASCII) get nothing from the low
// table (VPSHUFB gives 0 for them): BORING tells them by their sign.
DATA boringLo<>+0x00(SB)/8, $0x1a1a181a1a1a1a1a // 0-7: ' ' ` p | ! a q | " b r | # c s | $ d t | e u | & f v | ' g w
DATA boringLo<>+0x08(SB)/8, $0x0c0a291a2c1b1b18 // 8-f: h x | \t ) i y | \n * j z | ; [ k | , l | | \r ] m | . n | ? o
GLOBL boringLo<>(SB), RODATA|NOPTR, $16

DATA boringHi<>+0x00(SB)/8, $0x1008200004020001 // high half 0, 2, 3, 6, 7: bits 0-4; 5: bit 5
DATA boringHi<>+0x08(SB)/8, $0x0000000000000000
GLOBL boringHi<>(SB), RODATA|NOPTR, $16

// The first four bytes of a text from i = 0, 1, 2, 3.
DATA headKeep<>+0x00(SB)/4, $0xf
DATA headKeep<>+0x04(SB)/4, $0xe
DATA headKeep<>+0x08(SB)/4, $0xc
DATA headKeep<>+0x0c(SB)/4, $0x8
GLOBL headKeep<>(SB), RODATA|NOPTR, $16

DATA nibbles<>+0x00(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibbles<>+0x08(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nibbles<>(SB), RODATA|NOPTR, $16

// Broadcast bytes for CAPITALS, 32 of each. A byte x is in ['A', 'Z'] when x+0x80-'A',
// as a signed byte, is below -102.
#define BYTES32(name, b) \
	DATA name<>+0x00(SB)/8, $b \
	DATA name<>+0x08(SB)/8, $b \
	DATA name<>+0x10(SB)/8, $b \
	DATA name<>+0x18(SB)/8, $b \
	GLOBL name<>(SB), RODATA|NOPTR, $32

BYTES32(upperBias, 0x3f3f3f3f3f3f3f3f) // 0x80 - 'A'
BYTES32(upperEnd, 0x9a9a9a9a9a9a9a9a)  // -102
BYTES32(foldBit, 0x2020202020202020)   // ' ', and the bit that lower-cases a letter
BYTES32(byteB, 0x4242424242424242)     // 'B'
BYTES32(byteTab, 0x0909090909090909)   // '\t'
BYTES32(byteLF, 0x0a0a0a0a0a0a0a0a)    // '\n'
BYTES32(byteQuote, 0x2222222222222222) // '"'
BYTES32(byteParen, 0x2828282828282828) // '('
BYTES32(byteA, 0x6161616161616161)     // 'a'
BYTES32(byteC, 0x6363636363636363)     // 'c'
BYTES32(byteE, 0x6565656565656565)     // 'e'
BYTES32(byteI, 0x6969696969696969)     // 'i'
BYTES32(byteR, 0x7272727272727272)     // 'r'
BYTES32(byteS, 0x7373737373737373)     // 's'
BYTES32(byteComma, 0x2c2c2c2c2c2c2c2c) // ','
BYTES32(byteRParen, 0x2929292929292929) // ')'

// Ranges for SHORTWORDS, tested as x+bias > last (signed): the bytes out of the range.
BYTES32(digitBias, 0x5050505050505050)  // 0x80 - '0'
BYTES32(digitLast, 0x8989898989898989)  // -128 + 9
BYTES32(letterBias, 0x1f1f1f1f1f1f1f1f) // 0x80 - 'a', on the byte with bit 5 set
BYTES32(letterLast, 0x9999999999999999) // -128 + 25: also the last of upperBias's range

// BORING sets bit k of BX when byte k of Y0 is not boring: Y1 and Y2 hold the two
// tables, Y3 the low-four-bits mask, Y6 zero.
#define BORING \
	VPSRLW         $4, Y0, Y4 \
	VPAND          Y3, Y4, Y4 \
	VPSHUFB        Y0, Y1, Y5 \
	VPSHUFB        Y4, Y2, Y4 \
	VPAND          Y4, Y5, Y5 \
	VPCMPEQB       Y6, Y5, Y5 \
	VPCMPGTB       Y0, Y6, Y4 \
	VPANDN         Y5, Y4, Y5 \
	VPMOVMSKB      Y5, BX

// UPPERS sets Y9 and CX to the capitals among the 32 bytes of Y0 (Y8: upperEnd).
#define UPPERS \
	VMOVDQU        upperEnd<>(SB), Y8 \
	VPADDB         upperBias<>(SB), Y0, Y9 \
	VPCMPGTB       Y9, Y8, Y9 \
	VPMOVMSKB      Y9, CX

// CAPITALS clears in BX the capitals that start a word of prose (capitalized, scanner.go)
// among the 32 bytes at SI+AX, which must have four bytes before them and two after;
// UPPERS comes first.
#define CAPITALS \
	VMOVDQU        1(SI)(AX*1), Y7 \
	VPSRLW         $4, Y7, Y4 \
	VPAND          Y3, Y4, Y4 \
	VPSHUFB        Y7, Y1, Y5 \
	VPSHUFB        Y4, Y2, Y4 \
	VPAND          Y4, Y5, Y5 \
	VPCMPEQB       Y6, Y5, Y5 \
	VPANDN         Y9, Y5, Y9 \
	VPOR           foldBit<>(SB), Y7, Y10 \
	VMOVDQU        2(SI)(AX*1), Y11 \
	VPOR           foldBit<>(SB), Y11, Y11 \
	VPCMPEQB       byteE<>(SB), Y10, Y12 \
	VPCMPEQB       byteA<>(SB), Y11, Y13 \
	VPAND          Y13, Y12, Y12 \
	VPCMPEQB       byteA<>(SB), Y10, Y10 \
	VPCMPEQB       byteS<>(SB), Y11, Y11 \
	VPAND          Y11, Y10, Y10 \
	VPOR           Y10, Y12, Y12 \
	VPCMPEQB       byteB<>(SB), Y0, Y13 \
	VPAND          Y13, Y12, Y12 \
	VPANDN         Y9, Y12, Y9 \
	VMOVDQU        -1(SI)(AX*1), Y10 \
	VPCMPEQB       foldBit<>(SB), Y10, Y11 \
	VPCMPEQB       byteLF<>(SB), Y10, Y12 \
	VPCMPEQB       byteTab<>(SB), Y10, Y13 \
	VPOR           Y13, Y12, Y12 \
	VPCMPEQB       byteQuote<>(SB), Y10, Y13 \
	VPOR           Y13, Y12, Y12 \
	VPCMPEQB       byteParen<>(SB), Y10, Y13 \
	VPOR           Y13, Y12, Y12 \
	VMOVDQU        -2(SI)(AX*1), Y13 \
	VPOR           foldBit<>(SB), Y13, Y13 \
	VMOVDQU        -3(SI)(AX*1), Y14 \
	VPOR           foldBit<>(SB), Y14, Y14 \
	VMOVDQU        -4(SI)(AX*1), Y15 \
	VPOR           foldBit<>(SB), Y15, Y15 \
	VPCMPEQB       byteR<>(SB), Y13, Y10 \
	VPCMPEQB       byteE<>(SB), Y14, Y7 \
	VPAND          Y7, Y10, Y10 \
	VPCMPEQB       byteR<>(SB), Y15, Y7 \
	VPAND          Y7, Y10, Y10 \
	VPCMPEQB       byteC<>(SB), Y13, Y13 \
	VPCMPEQB       byteI<>(SB), Y14, Y14 \
	VPAND          Y14, Y13, Y13 \
	VPCMPEQB       byteS<>(SB), Y15, Y15 \
	VPAND          Y15, Y13, Y13 \
	VPOR           Y13, Y10, Y10 \
	VPANDN         Y11, Y10, Y11 \
	VPOR           Y11, Y12, Y12 \
	VPAND          Y12, Y9, Y9 \
	VPMOVMSKB      Y9, CX \
	NOTL           CX \
	ANDL           CX, BX

// NOTIN sets dst to the bytes of src outside a range: x+bias > last as signed bytes,
// where the range is the one that bias maps to the lowest values.
#define NOTIN(src, bias, last, dst) \
	VPADDB         bias<>(SB), src, dst \
	VPCMPGTB       last<>(SB), dst, dst

// SHORTRUN sets reg to the bytes of the block in Y0 in runs of one to three bytes of a
// kind that start after a space and end at a byte of end: notKind, notKind1 and notKind2
// mark the bytes not of the kind in the block and one and two bytes before it, kind is
// the mask of the block's bytes of the kind; Y4, Y5 and Y7 hold the bytes one, two and
// three before the block. Y12 and Y13 are scratch.
#define SHORTRUN(notKind, notKind1, notKind2, end, kind, reg, tmp) \
	VPCMPEQB       foldBit<>(SB), Y7, Y13 \
	VPANDN         Y13, notKind2, Y13 \
	VPCMPEQB       foldBit<>(SB), Y5, Y12 \
	VPOR           Y12, Y13, Y13 \
	VPANDN         Y13, notKind1, Y13 \
	VPCMPEQB       foldBit<>(SB), Y4, Y12 \
	VPOR           Y12, Y13, Y13 \
	VPAND          end, Y13, Y13 \
	VPANDN         Y13, notKind, Y13 \
	VPMOVMSKB      Y13, reg \
	MOVL           reg, tmp \
	SHRL           $1, tmp \
	ANDL           kind, tmp \
	ORL            tmp, reg \
	SHRL           $1, tmp \
	ANDL           kind, tmp \
	ORL            tmp, reg

// SHORTWORDS clears in BX the bytes among the 32 at SI+AX (in Y0, with four bytes
// before them and two after) that stand for nothing a detector looks for (shortWord in
// scanner_test.go is the reference): numbers of one to three digits between a space and a space before a
// letter ("128 EUR", "2 hours"), words of one to three capitals between a space and a
// space, ',' or ')' ("EUR", "EU"), and '(' before anything but a digit.
#define SHORTWORDS \
	VMOVDQU        -1(SI)(AX*1), Y4 \
	VMOVDQU        -2(SI)(AX*1), Y5 \
	VMOVDQU        -3(SI)(AX*1), Y7 \
	VMOVDQU        1(SI)(AX*1), Y10 \
	VMOVDQU        2(SI)(AX*1), Y11 \
	NOTIN(Y0, digitBias, digitLast, Y8) \
	NOTIN(Y4, digitBias, digitLast, Y9) \
	NOTIN(Y5, digitBias, digitLast, Y14) \
	VPCMPEQB       foldBit<>(SB), Y10, Y15 \
	VPOR           foldBit<>(SB), Y11, Y11 \
	NOTIN(Y11, letterBias, letterLast, Y11) \
	VPANDN         Y15, Y11, Y11 \
	VPMOVMSKB      Y8, R10 \
	NOTL           R10 \
	SHORTRUN(Y8, Y9, Y14, Y11, R10, R9, R11) \
	NOTIN(Y0, upperBias, letterLast, Y8) \
	NOTIN(Y4, upperBias, letterLast, Y9) \
	NOTIN(Y5, upperBias, letterLast, Y14) \
	VPCMPEQB       byteComma<>(SB), Y10, Y11 \
	VPOR           Y11, Y15, Y15 \
	VPCMPEQB       byteRParen<>(SB), Y10, Y11 \
	VPOR           Y11, Y15, Y15 \
	VPMOVMSKB      Y8, R10 \
	NOTL           R10 \
	SHORTRUN(Y8, Y9, Y14, Y15, R10, R12, R11) \
	ORL            R12, R9 \
	VPCMPEQB       byteParen<>(SB), Y0, Y11 \
	NOTIN(Y10, digitBias, digitLast, Y12) \
	VPAND          Y12, Y11, Y11 \
	VPMOVMSKB      Y11, R12 \
	ORL            R12, R9 \
	NOTL           R9 \
	ANDL           R9, BX

// func skipBoringVector(text string, i int) int
TEXT ·skipBoringVector(SB), NOSPLIT, $0-32
	MOVQ           text_base+0(FP), SI
	MOVQ           text_len+8(FP), CX
	MOVQ           i+16(FP), AX
	VBROADCASTI128 boringLo<>(SB), Y1
	VBROADCASTI128 boringHi<>(SB), Y2
	VBROADCASTI128 nibbles<>(SB), Y3
	VPXOR          Y6, Y6, Y6

	// Blocks with four bytes before them and two after: capitals that start words of
	// prose and short words are passed over too (CAPITALS, SHORTWORDS). Texts too short
	// for one such block are read as in loop.
	MOVL           $-1, R13 // the stops of a block to keep: all but in the last block
	CMPQ           AX, $4
	JAE            capitals
	CMPQ           CX, $38
	JB             loop
	// The first four bytes, then blocks from the fifth on.
	VMOVDQU        (SI), Y0
	BORING
	LEAQ           headKeep<>(SB), DX
	ANDL           (DX)(AX*4), BX
	TESTL          BX, BX
	JZ             head
	XORL           AX, AX
	JMP            found

head:
	MOVQ           $4, AX

capitals:
	LEAQ           34(AX), DX
	CMPQ           DX, CX
	JA             tail

block:
	VMOVDQU        (SI)(AX*1), Y0
	BORING
	ANDL           R13, BX
	TESTL          BX, BX
	JZ             nextCapitals
	MOVQ           CX, R8
	UPPERS
	TESTL          CX, BX
	JZ             noCapitals // stops, none of them a capital: nothing to pass over
	CAPITALS

noCapitals:
	MOVQ           R8, CX
	TESTL          BX, BX
	JZ             nextCapitals
	SHORTWORDS
	TESTL          BX, BX
	JNZ            found

nextCapitals:
	CMPL           R13, $-1
	JNE            tailDone
	ADDQ           $32, AX
	JMP            capitals

tail:
	// Fewer than 34 bytes left: the block that ends two bytes before the end, less its
	// bytes before AX, then the last two bytes as in loop.
	LEAQ           -34(CX), DX
	CMPQ           DX, $4
	JB             loop
	MOVQ           AX, R9
	SUBQ           DX, R9 // the block's bytes before AX
	CMPQ           R9, $32
	JAE            loop
	MOVQ           CX, R8
	MOVQ           R9, CX
	SHLL           CX, R13
	MOVQ           R8, CX
	MOVQ           DX, AX
	JMP            block

tailDone:
	LEAQ           -2(CX), AX
	JMP            last

loop:
	LEAQ           32(AX), DX
	CMPQ           DX, CX
	JA             last
	VMOVDQU        (SI)(AX*1), Y0
	BORING
	TESTL          BX, BX
	JNZ            found
	MOVQ           DX, AX
	JMP            capitals

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

