/* SPDX-License-Identifier: MIT */
/*
 * Constants of the demo guest's machine setup, shared by the ring-0 assembly
 * and the ring-3 C code: plain #defines only, so both can include it.
 */
#ifndef PORTHOLE_DEMO_ARCH_H
#define PORTHOLE_DEMO_ARCH_H

/* GDT selectors (boot.S lays the table out in this order). */
#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER_DS		(0x18 | 3)
#define USER_CS		(0x20 | 3)
#define TSS_SEL		0x28

/* Ring 3 runs with IF set and IOPL 3 (bit 1 of RFLAGS is always one). */
#define USER_RFLAGS	0x3202

#define CR0_PE		(1 << 0)
#define CR0_MP		(1 << 1)
#define CR0_ET		(1 << 4)
#define CR0_NE		(1 << 5)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define CR4_OSFXSR	(1 << 9)
#define CR4_OSXMMEXCPT	(1 << 10)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)

/* Interrupt vectors. */
#define VEC_GP		13
#define VEC_TIMER	0x20
#define VEC_SPURIOUS	0xff
/* traps.S: one fixed-size entry stub per exception vector 0..31. */
#define EXCEPTION_STUB_SIZE 16

/* Local APIC registers (xAPIC MMIO). */
#define LAPIC_BASE	0xfee00000
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_DCR	0x3e0
#define LAPIC_SVR_ON	0x100
#define LAPIC_PERIODIC	0x20000
#define LAPIC_DIV_1	0xb
/* KVM and QEMU both clock the APIC timer at 1 GHz: 60 Hz ticks. */
#define TIMER_HZ	60
#define TIMER_COUNT	(1000000000 / TIMER_HZ)

/* Legacy ports. */
#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define PIC1_DATA	0x21
#define PIC2_DATA	0xa1
#define I8042_CMD	0x64
#define I8042_RESET	0xfe
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71

/* ACPI PM1a_CNT: SLP_EN with SLP_TYP 0 is S5 for Porthole and QEMU. */
#define PM1A_SLP_EN_S5	0x2000

/* Unbacked guest-physical memory that `crash` jumps to. */
#define CRASH_ADDR	0xf0000000

#endif
