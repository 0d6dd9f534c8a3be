/* SPDX-License-Identifier: MIT */
/*
 * Ring 0 of the demo guest: from the PVH entry to ring 3.
 *
 * On PVM every ring-0 instruction is emulated by KVM (about 0.5 us each), so
 * this path is straight-line code: the page tables, GDT and TSS are built by
 * the assembler and linker, and only what needs a runtime address (the TSS
 * descriptor, the IDT gates) is patched here. All real work runs in ring 3.
 */
#include "arch.h"
#include "layout.h"

/*
 * The PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY). A 64-bit value, as in
 * Linux's vmlinux; QEMU reads eight bytes and porthole-vmm reads descsz.
 * 4-byte alignment: QEMU steps over the name using the PT_NOTE's p_align.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4			/* namesz */
	.long 8			/* descsz */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.quad pvh_start
	.balign 4

/*
 * PVH start state: 32-bit flat protected mode, paging off, EBX = the
 * physical address of struct hvm_start_info. No stack is promised.
 */
	.section .text.boot, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	movl	%ebx, %ebp		/* start info, for the C entry */

	/* PAE for long mode; FXSR/XMM so ring 3 may use SSE like any x86-64 code. */
	movl	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	lgdt	gdt_ptr
	/* Paging on with LME set activates long mode; EM clear, MP set for SSE. */
	movl	$(CR0_PG | CR0_NE | CR0_ET | CR0_MP | CR0_PE), %eax
	movl	%eax, %cr0
	ljmp	$KERNEL_CS, $long_mode

	.code64
long_mode:
	movl	$KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs
	leaq	kernel_stack_top(%rip), %rsp

	/* The boot-time benchmark's marker: as early as output can be. */
	leaq	boot_msg(%rip), %rdi
	call	kputs

	call	load_tss
	call	load_idt
	/* Mask both 8259s: an unprogrammed (or BIOS-programmed) PIC would
	 * deliver its IRQs on exception vectors through LINT0. */
	movb	$0xff, %al
	outb	%al, $PIC1_DATA
	outb	%al, $PIC2_DATA
	call	start_timer

	/* Drop to ring 3: demo_start(start_info) with IF=1, IOPL=3. */
	pushq	$USER_DS
	leaq	user_stack_top - 8(%rip), %rax	/* as after a call: ABI alignment */
	pushq	%rax
	pushq	$USER_RFLAGS
	pushq	$USER_CS
	leaq	demo_start(%rip), %rax
	pushq	%rax
	movl	%ebp, %edi		/* zero-extends: upper halves are undefined */
	iretq

/* The TSS descriptor's base is split across fields: patch it in. */
load_tss:
	leaq	tss(%rip), %rax
	leaq	gdt_tss(%rip), %rdi
	movw	%ax, 2(%rdi)		/* base 15:0 */
	shrl	$16, %eax
	movb	%al, 4(%rdi)		/* base 23:16 */
	movb	%ah, 7(%rdi)		/* base 31:24 (the image is below 4 GiB) */
	movw	$TSS_SEL, %ax
	ltr	%ax
	ret

/* rdi = gate, rax = handler: a present DPL-0 64-bit interrupt gate. */
set_gate:
	movw	%ax, (%rdi)
	movw	$KERNEL_CS, 2(%rdi)
	movw	$0x8e00, 4(%rdi)
	shrl	$16, %eax
	movw	%ax, 6(%rdi)
	ret

load_idt:
	leaq	idt(%rip), %rdi
	leaq	exception_stubs(%rip), %rsi
	movl	$32, %ecx
1:	movq	%rsi, %rax
	call	set_gate
	addq	$16, %rdi
	addq	$EXCEPTION_STUB_SIZE, %rsi
	decl	%ecx
	jnz	1b
	leaq	idt + VEC_GP * 16(%rip), %rdi
	leaq	gp_entry(%rip), %rax
	call	set_gate
	leaq	idt + VEC_TIMER * 16(%rip), %rdi
	leaq	timer_entry(%rip), %rax
	call	set_gate
	leaq	idt + VEC_SPURIOUS * 16(%rip), %rdi
	leaq	spurious_entry(%rip), %rax
	call	set_gate
	lidt	idt_ptr(%rip)
	ret

/* Periodic LAPIC timer; its handler only EOIs, so `hlt` wakes each tick. */
start_timer:
	movl	$LAPIC_BASE, %edi
	movl	$(LAPIC_SVR_ON | VEC_SPURIOUS), LAPIC_SVR(%rdi)
	movl	$LAPIC_DIV_1, LAPIC_TIMER_DCR(%rdi)
	movl	$(LAPIC_PERIODIC | VEC_TIMER), LAPIC_LVT_TIMER(%rdi)
	movl	$TIMER_COUNT, LAPIC_TIMER_ICR(%rdi)
	ret

	.section .rodata
boot_msg:
	.asciz "porthole-demo: boot\n"

/*
 * Identity map of the low 4 GiB in 2 MiB pages, user-accessible: ring 3
 * owns the framebuffer, the start info and its own image. Built by the
 * assembler, so boot runs no loop of emulated ring-0 stores.
 */
#define PTE_P	0x01
#define PTE_RW	0x02
#define PTE_US	0x04
#define PTE_PS	0x80

	.section .data.pagetables, "aw"
	.balign 4096
pml4:
	.quad pdpt + (PTE_P | PTE_RW | PTE_US)
	.fill 511, 8, 0
	.globl boot_pdpt		/* pci.c maps BARs above 4 GiB */
boot_pdpt:
pdpt:
	.quad pd + 0x0000 + (PTE_P | PTE_RW | PTE_US)
	.quad pd + 0x1000 + (PTE_P | PTE_RW | PTE_US)
	.quad pd + 0x2000 + (PTE_P | PTE_RW | PTE_US)
	.quad pd + 0x3000 + (PTE_P | PTE_RW | PTE_US)
	.fill 508, 8, 0
pd:
	.set page, 0
	.rept 2048
	.quad page + (PTE_P | PTE_RW | PTE_US | PTE_PS)
	.set page, page + 0x200000
	.endr

	.section .data, "aw"
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff	/* 0x10 kernel data */
	.quad 0x00cff2000000ffff	/* 0x18 user data, DPL 3 */
	.quad 0x00affa000000ffff	/* 0x20 user code, 64-bit, DPL 3 */
gdt_tss:				/* 0x28 available 64-bit TSS, limit 103 */
	.quad 0x0000890000000067
	.quad 0
gdt_end:

	.balign 8
	.word 0				/* keeps the base 8-byte aligned */
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt

	.balign 8
	.word 0
idt_ptr:
	.word 256 * 16 - 1
	.quad idt

/* rsp0 is where the CPU puts ring 3's interrupt frames. The I/O bitmap
 * offset points past the limit: no bitmap, IOPL alone decides. */
	.balign 16
tss:
	.long 0
	.quad kernel_stack_top		/* rsp0 */
	.fill 22, 4, 0			/* rsp1, rsp2, IST: unused */
	.word 0
	.word 104			/* I/O map base */

/* Zero-filled in the file, not .bss: ring 3 clears .bss after this is set. */
	.balign 4096
idt:
	.fill 256 * 16, 1, 0

/* Stacks need no clearing, so they live outside .bss (see demo.ld). */
	.section .stack, "aw", @nobits
	.balign 16
	.skip 8192
	.globl kernel_stack_top
kernel_stack_top:
	.skip 65536
user_stack_top:

	.section .note.GNU-stack, "", @progbits
