/*
 * The purgatory page of our kexec_load path (src/Kdump.Kexec/Legacy/Purgatory.cs holds these
 * bytes; Kdump.Kexec.Tests assembles this file and compares). Build it by hand with
 *   as --64 --defsym LOAD=0x... --defsym BOOT_PARAMS=0x... --defsym KERNEL_ENTRY=0x... \
 *      -o p.o eng/kexec/purgatory.S && objcopy -O binary -j .text p.o p.bin
 * relocate_kernel_64.S enters at LOAD + 0x30 in 64-bit mode on identity-mapped page tables.
 */
	.code64
	.text
gdt:
	.quad	0, 0
	.quad	0x00af9a000000ffff	/* 0x10: 64-bit code */
	.quad	0x00cf92000000ffff	/* 0x18: data */
gdt_descriptor:
	.word	gdt_descriptor - gdt - 1
	.quad	LOAD			/* gdt is at offset 0 */
	.org	0x30
entry:
	lgdt	gdt_descriptor(%rip)
	mov	$0x18, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	movabs	$(LOAD + 4096), %rsp
	lea	1f(%rip), %rax
	push	$0x10
	push	%rax
	lretq
1:	movabs	$BOOT_PARAMS, %rsi
	movabs	$KERNEL_ENTRY, %rax
	jmp	*%rax
	.org	4096
