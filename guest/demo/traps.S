/* SPDX-License-Identifier: MIT */
/*
 * Ring-0 interrupt and exception handlers of the demo guest.
 *
 * Under PVM (this project's development host), ring-3 `in`/`out` fault with
 * #GP even with IOPL 3, and `syscall`/`int N` from ring 3 do not work, but
 * exceptions are delivered to these gates. So ring 3 just executes ordinary
 * `in`, `out` and `hlt`, and gp_entry performs them on its behalf. On VT-x,
 * AMD-V or QEMU, IOPL 3 lets in/out run directly and only `hlt` comes here.
 * Anything else is fatal: one line on COM1, then ACPI power-off.
 *
 * Every instruction here is emulated on PVM: keep the paths short.
 */
#include "arch.h"
#include "layout.h"

	.text
	.code64

/* gp_entry's frame after its four pushes, above the CPU's frame. */
#define F_RSI	0
#define F_RDX	8
#define F_RCX	16
#define F_RAX	24
#define F_ERR	32
#define F_RIP	40
#define F_CS	48

/*
 * Emulates the port I/O instruction or `hlt` at the faulting ring-3 RIP:
 * [66] E4/E5/E6/E7 ib, [66] EC/ED/EE/EF, F4. In the opcode, bit 0 means
 * word/dword (by the 66 prefix), bit 1 out, bit 3 port in DX. CH holds the
 * prefix, CL the opcode, RSI walks the instruction bytes.
 */
	.globl gp_entry
gp_entry:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	testb	$3, F_CS(%rsp)
	jz	gp_fatal		/* ring 0 faulted: a bug, not a request */
	cmpq	$0, F_ERR(%rsp)
	jne	gp_fatal		/* a selector fault: not in/out/hlt */
	movq	F_RIP(%rsp), %rsi
	xorl	%ecx, %ecx
	movzbl	(%rsi), %eax
	cmpb	$0x66, %al
	jne	1f
	movb	$1, %ch
	incq	%rsi
	movzbl	(%rsi), %eax
1:	incq	%rsi
	cmpb	$0xf4, %al
	je	gp_hlt
	movb	%al, %cl
	andb	$0xf4, %al
	cmpb	$0xe4, %al
	jne	gp_fatal
	movzwl	F_RDX(%rsp), %edx
	testb	$0x08, %cl
	jnz	2f
	movzbl	(%rsi), %edx		/* imm8 port */
	incq	%rsi
2:	movq	%rsi, F_RIP(%rsp)	/* resume after the instruction */
	movq	F_RAX(%rsp), %rax
	testb	$0x02, %cl
	jnz	gp_out
	testb	$0x01, %cl
	jz	gp_inb
	testb	%ch, %ch
	jnz	gp_inw
	inl	%dx, %eax		/* zero-extends into RAX, as in ring 3 */
	movq	%rax, F_RAX(%rsp)
	jmp	gp_done
gp_inw:
	inw	%dx, %ax
	movw	%ax, F_RAX(%rsp)
	jmp	gp_done
gp_inb:
	inb	%dx, %al
	movb	%al, F_RAX(%rsp)
	jmp	gp_done
gp_out:
	testb	$0x01, %cl
	jz	gp_outb
	testb	%ch, %ch
	jnz	gp_outw
	outl	%eax, %dx
	jmp	gp_done
gp_outw:
	outw	%ax, %dx
	jmp	gp_done
gp_outb:
	outb	%al, %dx
gp_done:
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$8, %rsp		/* the error code */
	iretq

/* Sleep until the next interrupt; sti's one-instruction shadow means a
 * tick cannot slip in between sti and hlt. */
gp_hlt:
	movq	%rsi, F_RIP(%rsp)
	sti
	hlt
	cli
	jmp	gp_done

gp_fatal:
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	pushq	$VEC_GP
	jmp	fatal

/* The LAPIC timer only wakes `hlt`; ring 3 keeps its own time. */
	.globl timer_entry
timer_entry:
	pushq	%rax
	movl	$(LAPIC_BASE + LAPIC_EOI), %eax
	movl	$0, (%rax)
	popq	%rax
	iretq

/* Spurious interrupts take no EOI. */
	.globl spurious_entry
spurious_entry:
	iretq

/* One stub per exception, all with the frame [vector, error, CPU frame]. */
	.balign EXCEPTION_STUB_SIZE
	.globl exception_stubs
exception_stubs:
	.set vec, 0
	.rept 32
	.balign EXCEPTION_STUB_SIZE
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0			/* the CPU pushed no error code */
	.endif
	pushq	$vec
	jmp	fatal
	.set vec, vec + 1
	.endr

/* "porthole-demo: exception N at RIP 0x... (error 0x...)", then power off. */
fatal:
	leaq	msg_exception(%rip), %rdi
	call	kputs
	movq	0(%rsp), %rax
	call	kputdec
	leaq	msg_rip(%rip), %rdi
	call	kputs
	movq	16(%rsp), %rax
	call	kputhex
	leaq	msg_error(%rip), %rdi
	call	kputs
	movq	8(%rsp), %rax
	call	kputhex
	leaq	msg_end(%rip), %rdi
	call	kputs
	movw	$LAYOUT_PM1A_CNT_PORT, %dx
	movw	$PM1A_SLP_EN_S5, %ax
	outw	%ax, %dx
1:	hlt
	jmp	1b

/*
 * COM1 output for ring 0 (the boot marker and fatal errors). Waits for THRE
 * like any 8250 driver, since porthole-vmm holds it clear while its buffer
 * is full, but boundedly, so a dead UART cannot hang a fatal report.
 */
/* al = byte; clobbers rcx, rdx, r8. */
kputc:
	movl	%eax, %r8d
	movl	$0x100000, %ecx
	movw	$COM1_LSR, %dx
1:	inb	%dx, %al
	testb	$0x20, %al
	jnz	2f
	decl	%ecx
	jnz	1b
2:	movl	%r8d, %eax
	movw	$COM1, %dx
	outb	%al, %dx
	ret

/* rdi = NUL-terminated string; clobbers rax, rcx, rdx, rdi, r8. */
	.globl kputs
kputs:
	movzbl	(%rdi), %eax
	testb	%al, %al
	jz	1f
	call	kputc
	incq	%rdi
	jmp	kputs
1:	ret

/* rax in hex without leading zeros; clobbers rax, rcx, rdx, rsi, r8-r10. */
kputhex:
	movq	%rax, %rsi
	movl	$64, %r9d
	xorl	%r10d, %r10d		/* nonzero once a digit is printed */
1:	subl	$4, %r9d
	movq	%rsi, %rax
	movl	%r9d, %ecx
	shrq	%cl, %rax
	andl	$0xf, %eax
	orl	%eax, %r10d
	jnz	2f
	testl	%r9d, %r9d
	jnz	1b			/* a leading zero */
2:	addb	$'0', %al
	cmpb	$'9', %al
	jbe	3f
	addb	$('a' - '0' - 10), %al
3:	call	kputc
	testl	%r9d, %r9d
	jnz	1b
	ret

/* rax in decimal; clobbers rax, rcx, rdx, r8, r9. */
kputdec:
	movl	$10, %ecx
	xorl	%r9d, %r9d
1:	xorl	%edx, %edx
	divq	%rcx
	pushq	%rdx
	incl	%r9d
	testq	%rax, %rax
	jnz	1b
2:	popq	%rax
	addb	$'0', %al
	call	kputc
	decl	%r9d
	jnz	2b
	ret

	.section .rodata
msg_exception:
	.asciz "porthole-demo: exception "
msg_rip:
	.asciz " at RIP 0x"
msg_error:
	.asciz " (error 0x"
msg_end:
	.asciz ")\n"

	.section .note.GNU-stack, "", @progbits
