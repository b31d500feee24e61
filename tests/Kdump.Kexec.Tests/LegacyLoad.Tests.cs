using System.Buffers.Binary;
using System.Text;
using Kdump.Formats.Elf;
using Kdump.Kexec.Legacy;
using Kdump.Linux;
using Kdump.Linux.Testing;
using Kdump.Primitives;
using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>
/// The kexec_load path's layout (BzImage64Legacy) on TestTree's q35-shaped machine: where each
/// segment goes, the zero page's fields, the capture kernel's memory map, the ELF core headers,
/// the purgatory's bytes against GNU as, and the same rules on the lab's real Debian kernel.
/// The VM proof (a kernel booted and a crash captured through it) is eng/vmtest/kexec-vm.sh.
/// </summary>
public sealed class LegacyLoadTests : IDisposable
{
    private readonly TestTree _tree = TestTree.Standard();

    public LegacyLoadTests() => _tree.AddLegacyMachine();

    public void Dispose() => _tree.Dispose();

    private static readonly byte[] s_initrd = [0x30, 0x37, 0x30, 0x37, 0x30, 0x31];

    private LegacyImage Plan(bool crash, byte[]? kernel = null, string commandLine = "console=ttyS0") =>
        BzImage64Legacy.Plan(kernel ?? BzImageStub.Loadable(), "vmlinuz", s_initrd, commandLine, crash,
            LegacyMachine.Read(new SystemRoot(_tree.Root), crash));

    private static (ulong Address, ulong Size, E820Type Type)[] E820(byte[] zeroPage)
    {
        var n = zeroPage[BootParams.FieldLocations.E820Entries];
        return Enumerable.Range(0, n).Select(i =>
        {
            var at = BootParams.FieldLocations.E820Table + i * 20;
            return (BinaryPrimitives.ReadUInt64LittleEndian(zeroPage.AsSpan(at)), BinaryPrimitives.ReadUInt64LittleEndian(zeroPage.AsSpan(at + 8)),
                (E820Type)BinaryPrimitives.ReadUInt32LittleEndian(zeroPage.AsSpan(at + 16)));
        }).ToArray();
    }

    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));

    [Fact]
    public void A_crash_kernel_is_laid_out_inside_the_crash_kernel_memory_from_its_start()
    {
        var image = Plan(crash: true);
        Assert.Equal(
        [
            ("kernel", 0x2f000000UL, 0x800000UL, 14336),
            ("ELF core headers", 0x2f800000UL, 0x1000UL, 400),
            ("zero page and command line", 0x2f801000UL, 0x2000UL, 4129),
            ("purgatory", 0x2f803000UL, 0x1000UL, 4096),
            ("initrd", 0x2f804000UL, 0x1000UL, 6),
        ], image.Segments.Select(s => (s.Name, s.Address, s.MemorySize, s.Data.Length)));
        Assert.Equal(0x2f803030UL, image.Entry);
        Assert.Equal("console=ttyS0 elfcorehdr=778240K", image.CommandLine); // 0x2f800000 / 1024
        Assert.Equal(BzImageStub.Loadable().AsSpan(2048).ToArray(), image.Segments[0].Data);
    }

    [Fact]
    public void The_zero_page_carries_the_header_the_command_line_the_initrd_and_the_capture_memory_map()
    {
        var image = Plan(crash: true);
        var zero = image.Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        var kernel = BzImageStub.Loadable();
        Assert.Equal(PatchedHeader(kernel), zero.AsSpan(0x1f1, 0x26c - 0x1f1).ToArray());
        Assert.Equal(0x22, zero[0x0f]);                                         // screen_info from the booted zero page
        Assert.Equal(0xd0, zero[BootParams.FieldLocations.TypeOfLoader]);
        Assert.Equal(0, zero[BootParams.FieldLocations.LoadFlags]);
        Assert.Equal(0x2f802000U, U32(zero, BootParams.FieldLocations.CmdLinePtr));
        Assert.Equal(0U, U32(zero, BootParams.FieldLocations.ExtCmdLinePtr));
        Assert.Equal(0x2f804000U, U32(zero, BootParams.FieldLocations.RamdiskImage));
        Assert.Equal(6U, U32(zero, BootParams.FieldLocations.RamdiskSize));
        Assert.Equal("console=ttyS0 elfcorehdr=778240K\0", Encoding.ASCII.GetString(zero, 4096, zero.Length - 4096));
        // crash_setup_memmap_entries: RAM below 1 MiB, every Reserved range (also the one under
        // PCI MMCONFIG), and the crash kernel memory but the ELF core headers' page.
        Assert.Equal(
        [
            (0x0UL, 0x1000UL, E820Type.Reserved),
            (0x1000UL, 0x9ec00UL, E820Type.Ram),
            (0x9fc00UL, 0x400UL, E820Type.Reserved),
            (0xf0000UL, 0x10000UL, E820Type.Reserved),
            (0x2f000000UL, 0x800000UL, E820Type.Ram),
            (0x2f801000UL, 0xf7ff000UL, E820Type.Ram),
            (0x3ffe0000UL, 0x20000UL, E820Type.Reserved),
            (0xb0000000UL, 0x10000000UL, E820Type.Reserved),
            (0xfed1c000UL, 0x4000UL, E820Type.Reserved),
        ], E820(zero));
    }

    // The header as the loader leaves it: type_of_loader, loadflags, the initrd and command line rewritten.
    private static byte[] PatchedHeader(byte[] kernel)
    {
        var h = kernel.AsSpan(0x1f1, 0x26c - 0x1f1).ToArray();
        h[0x210 - 0x1f1] = 0xd0;
        h[0x211 - 0x1f1] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(0x218 - 0x1f1), 0x2f804000);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(0x21c - 0x1f1), 6);
        BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(0x228 - 0x1f1), 0x2f802000);
        return h;
    }

    [Fact]
    public void The_elf_core_headers_hold_the_cpu_notes_vmcoreinfo_the_kernel_text_and_ram_outside_the_crash_memory_and_first_mib()
    {
        var elf = Plan(crash: true).Segments.Single(s => s.Name == "ELF core headers").Data;
        Assert.True(ElfIdent.TryReadCore(elf, out var ident));
        Assert.True(ElfHeader.TryReadCore(elf, ident, out var eh));
        Assert.Equal((ElfConstants.EtCore, ElfConstants.EmX8664, 64UL, (ushort)6), (eh.Type, eh.Machine, eh.ProgramHeaderOffset, eh.ProgramHeaderCount));
        var phs = Enumerable.Range(0, eh.ProgramHeaderCount).Select(i =>
        {
            Assert.True(ElfProgramHeader.TryReadCore(elf.AsSpan(64 + 56 * i), ident.Layout, out var ph));
            return (ph.Type, ph.Offset, ph.PhysicalAddress, ph.VirtualAddress, ph.FileSize, ph.MemorySize);
        }).ToArray();
        const ulong po = TestTree.KcorePageOffset;
        Assert.Equal(
        [
            (ElfConstants.PtNote, 0x3dc1b4a0UL, 0x3dc1b4a0UL, 0UL, 368UL, 368UL),
            (ElfConstants.PtNote, 0x3dc5b4a0UL, 0x3dc5b4a0UL, 0UL, 368UL, 368UL),
            (ElfConstants.PtNote, 0x2a8c000UL, 0x2a8c000UL, 0UL, 0x1024UL, 0x1024UL),
            (ElfConstants.PtLoad, TestTree.KcoreTextPhys, TestTree.KcoreTextPhys, TestTree.KcoreText, TestTree.KcoreTextSize, TestTree.KcoreTextSize),
            (ElfConstants.PtLoad, 0x100000UL, 0x100000UL, po + 0x100000, 0x2ef00000UL, 0x2ef00000UL),
            (ElfConstants.PtLoad, 0x3f000000UL, 0x3f000000UL, po + 0x3f000000, 0xfe0000UL, 0xfe0000UL),
        ], phs);
    }

    [Fact]
    public void A_normal_kernel_goes_to_the_first_aligned_ram_above_its_preferred_address_its_initrd_above_16_mib_and_it_gets_the_firmware_map()
    {
        var image = Plan(crash: false);
        Assert.Equal(
        [
            ("zero page and command line", 0x100000UL, 0x2000UL),
            ("purgatory", 0x102000UL, 0x1000UL),
            ("kernel", 0x1000000UL, 0x800000UL),
            ("initrd", 0x1800000UL, 0x1000UL),
        ], image.Segments.Select(s => (s.Name, s.Address, s.MemorySize)));
        Assert.Equal("console=ttyS0", image.CommandLine);
        var zero = image.Segments[0].Data;
        Assert.Equal(
        [
            (0x0UL, 0x9fc00UL, E820Type.Ram), (0x9fc00UL, 0x400UL, E820Type.Reserved), (0xf0000UL, 0x10000UL, E820Type.Reserved),
            (0x100000UL, 0x3fee0000UL, E820Type.Ram), (0x3ffe0000UL, 0x20000UL, E820Type.Reserved), (0xb0000000UL, 0x10000000UL, E820Type.Reserved),
        ], E820(zero));
    }

    [Fact]
    public void A_normal_kernel_never_lands_in_the_crash_kernel_memory()
    {
        // RAM from 0x2e800000 only: 8 MiB below the crash memory, 12 MiB wanted, so the kernel
        // goes above it (a first fit ignoring it would start at 0x2e800000).
        _tree.WriteSystemFile("/sys/firmware/memmap/3/start", "0x2e800000\n");
        var image = Plan(crash: false, BzImageStub.Loadable(initSize: 0xc00000));
        Assert.Equal(0x3f000000UL, image.Segments.Single(s => s.Name == "kernel").Address);
    }

    [Fact]
    public void The_purgatory_loads_its_gdt_stack_and_boot_params_and_jumps_to_the_64_bit_entry()
    {
        var image = Plan(crash: true);
        var p = image.Segments.Single(s => s.Name == "purgatory").Data;
        // Offsets from eng/kexec/purgatory.S's listing (objdump -d): the GDT descriptor's base, then
        // the immediates of movabs %rsp (entry 0x30 + 0x18), %rsi (+ 0x2e) and %rax (+ 0x38).
        Assert.Equal(0x2f803000UL, BinaryPrimitives.ReadUInt64LittleEndian(p.AsSpan(0x22)));
        Assert.Equal(0x2f804000UL, BinaryPrimitives.ReadUInt64LittleEndian(p.AsSpan(0x48)));
        Assert.Equal(0x2f801000UL, BinaryPrimitives.ReadUInt64LittleEndian(p.AsSpan(0x5e)));
        Assert.Equal(0x2f000200UL, BinaryPrimitives.ReadUInt64LittleEndian(p.AsSpan(0x68)));
    }

    /// <summary>The bytes in Purgatory.cs are eng/kexec/purgatory.S assembled by GNU as (binutils).</summary>
    [Fact]
    public void The_purgatory_bytes_are_what_gnu_as_makes_of_its_source()
    {
        using var scratch = Lab.Scratch("purgatory");
        var obj = Path.Combine(scratch.Path, "p.o");
        var bin = Path.Combine(scratch.Path, "p.bin");
        var asm = ExternalProcess.Run(Lab.SystemTool("/usr/bin/as"), ["--64", "--defsym", "LOAD=0x12345000", "--defsym", "BOOT_PARAMS=0x1111222233334444",
            "--defsym", "KERNEL_ENTRY=0x5555666677778888", "-o", obj, Path.Combine(Lab.RepoRoot, "eng", "kexec", "purgatory.S")]);
        Assert.True(asm.ExitCode == 0, asm.Stderr);
        var copy = ExternalProcess.Run(Lab.SystemTool("/usr/bin/objcopy"), ["-O", "binary", "-j", ".text", obj, bin]);
        Assert.True(copy.ExitCode == 0, copy.Stderr);
        Assert.Equal(File.ReadAllBytes(bin), Purgatory.Build(0x12345000, 0x1111222233334444, 0x5555666677778888));
    }

    [Fact]
    public void The_lab_kernel_is_laid_out_by_its_own_header()
    {
        var vmlinuz = Path.Combine(Lab.Dir, "kernels", "bookworm", "vmlinuz");
        var kernel = File.ReadAllBytes(vmlinuz);
        var align = U32(kernel, 0x230);
        var initSize = U32(kernel, 0x260);
        var image = Plan(crash: true, kernel);
        var k = image.Segments[0];
        Assert.Equal("kernel", k.Name);
        Assert.Equal(0UL, k.Address % align);
        Assert.Equal(((ulong)initSize + 4095) & ~4095UL, k.MemorySize);
        Assert.Equal(kernel.Length - (kernel[0x1f1] + 1) * 512, k.Data.Length);
        // sanity_check_segment_list: page-aligned, inside crashk_res, no overlap, bufsz ≤ memsz.
        ulong end = 0;
        foreach (var s in image.Segments)
        {
            Assert.Equal(0UL, s.Address % 4096);
            Assert.Equal(0UL, s.MemorySize % 4096);
            Assert.True(s.Address >= Math.Max(end, 0x2f000000UL) && s.Address + s.MemorySize <= 0x3f000000UL, s.Name);
            Assert.True((ulong)s.Data.Length <= s.MemorySize, s.Name);
            end = s.Address + s.MemorySize;
        }
        var zero = image.Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        Assert.Equal(kernel.AsSpan(0x202, 4).ToArray(), "HdrS"u8.ToArray());
        Assert.Equal("HdrS"u8.ToArray(), zero.AsSpan(0x202, 4).ToArray());
        Assert.Equal(kernel.AsSpan(0x206, 2).ToArray(), zero.AsSpan(0x206, 2).ToArray()); // protocol version
    }

    [Fact]
    public void A_command_line_longer_than_the_kernel_takes_is_refused()
    {
        var e = Assert.Throws<LegacyLoadException>(() => Plan(crash: true, BzImageStub.Loadable(cmdlineSize: 32)));
        Assert.Equal("Kernel command line too long for kernel! (32 bytes; vmlinuz takes 31)", e.Message);
    }

    [Fact]
    public void A_kernel_larger_than_the_crash_memory_is_refused_naming_the_range()
    {
        var e = Assert.Throws<LegacyLoadException>(() => Plan(crash: true, BzImageStub.Loadable(initSize: 0x10200000)));
        Assert.Equal("no room for the kernel (270532608 bytes aligned to 0x200000, from 0x1000000) in the crash kernel memory (0x2f000000-0x3effffff)", e.Message);
    }

    [Fact]
    public void A_kernel_alignment_that_is_not_a_power_of_two_is_refused_with_its_offset()
    {
        var kernel = BzImageStub.Loadable();
        BinaryPrimitives.WriteUInt32LittleEndian(kernel.AsSpan(0x230), 0x300000);
        var e = Assert.Throws<LegacyLoadException>(() => Plan(crash: true, kernel));
        Assert.Equal("'vmlinuz': kernel_alignment 0x300000 at offset 0x230: is not a power of two of at least a page", e.Message);
    }

    [Fact]
    public void Without_cpu_crash_notes_a_crash_load_says_what_is_missing_and_loads_nothing()
    {
        File.Delete(Path.Join(_tree.Root, "/sys/devices/system/cpu/cpu0/crash_notes"));
        File.Delete(Path.Join(_tree.Root, "/sys/devices/system/cpu/cpu1/crash_notes"));
        _tree.WriteFile("vmlinuz", BzImageStub.Loadable());
        var run = KexecRun.Invoke(_tree, "-c", "-p", "vmlinuz");
        Assert.Equal(255, run.ExitCode);
        Assert.Equal("kexec: no /sys/devices/system/cpu/cpuN/crash_notes: the kernel keeps no CPU notes (CONFIG_CRASH_DUMP?)\nCannot load $T/vmlinuz\n", run.Stderr);
        Assert.Empty(run.Calls);
    }

    [Fact]
    public void A_refused_kexec_load_prints_the_error_entry_flags_and_segments()
    {
        _tree.WriteFile("vmlinuz", BzImageStub.Loadable());
        var sys = new RecordingSystemCalls().FailAlways("kexec_load", Errno.EPERM);
        var run = KexecRun.Invoke(_tree, sys, "-c", "-p", "vmlinuz", "--initrd=initrd.img", "--append=console=ttyS0");
        Assert.Equal(255, run.ExitCode);
        var lines = run.Stderr.Split('\n');
        Assert.Equal("kexec_load failed: Operation not permitted", lines[0]);
        Assert.Equal("entry       = 0x2f803030 flags = 0x3e0001", lines[1]);
        Assert.Equal("nr_segments = 5", lines[2]);
        Assert.Equal("segment[0].bufsz = 0x3800", lines[4]);
        Assert.Equal("segment[4].memsz = 0x1000", lines[22]);
    }

    [Fact]
    public void The_efi_system_table_gives_the_acpi_root_to_the_zero_page_and_the_crash_command_line()
    {
        _tree.WriteSystemFile("/sys/firmware/efi/systab", "SMBIOS3=0x7f8e0000\nACPI20=0x7fb7e014\nACPI=0x7fb7e000\n");
        var image = Plan(crash: true);
        Assert.Equal("console=ttyS0 acpi_rsdp=0x7fb7e014 elfcorehdr=778240K", image.CommandLine);
        var zero = image.Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        Assert.Equal(0x7fb7e014UL, BinaryPrimitives.ReadUInt64LittleEndian(zero.AsSpan(BootParams.FieldLocations.AcpiRsdpAddr)));
    }

    [Fact]
    public void Mem_min_and_mem_max_bound_every_segment()
    {
        _tree.WriteFile("vmlinuz", BzImageStub.Loadable());
        var sys = new RecordingSystemCalls();
        var run = KexecRun.Invoke(_tree, sys, "-c", "-p", "--mem-min=0x30000000", "--mem-max=0x3effffff", "vmlinuz", "--initrd=initrd.img");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["kexec_load(0x30803030, 5, [{0x30000000, 0x800000, 14336}, {0x30800000, 0x1000, 400}, {0x30801000, 0x2000, 4116}, " +
            "{0x30803000, 0x1000, 4096}, {0x30804000, 0x1000, 6}], KEXEC_ON_CRASH|KEXEC_ARCH_X86_64) = 0"], run.Calls);
        var tooHigh = KexecRun.Invoke(_tree, "-c", "-p", "--mem-min=0x3e900000", "vmlinuz");
        Assert.Equal(255, tooHigh.ExitCode);
        Assert.StartsWith("kexec: no room for the kernel (8388608 bytes aligned to 0x200000, from 0x1000000) in the crash kernel memory", tooHigh.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Acpi_nvs_and_persistent_memory_reach_the_capture_map_and_hot_plugged_ram_the_dump()
    {
        _tree.WriteSystemFile("/proc/iomem", TestTree.LegacyIomem +
            "7fb7e000-7fb7efff : ACPI Tables\n" +
            "7fb7f000-7fbfefff : ACPI Non-volatile Storage\n" +
            "100000000-13fffffff : Persistent Memory (legacy)\n" +
            "  100000000-13fffffff : namespace0.0\n" +
            "140000000-147ffffff : virtio0\n" +
            "  140000000-147ffffff : System RAM (virtio_mem)\n");
        var image = Plan(crash: true);
        var map = E820(image.Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data);
        Assert.Contains((0x7fb7e000UL, 0x1000UL, E820Type.Acpi), map);
        Assert.Contains((0x7fb7f000UL, 0x80000UL, E820Type.Nvs), map);
        Assert.Contains((0x100000000UL, 0x40000000UL, E820Type.Pram), map);
        Assert.DoesNotContain(map, e => e.Address == 0x140000000UL);
        var elf = image.Segments.Single(s => s.Name == "ELF core headers").Data;
        Assert.True(ElfIdent.TryReadCore(elf, out var ident));
        Assert.True(ElfHeader.TryReadCore(elf, ident, out var eh));
        Assert.Equal(7, eh.ProgramHeaderCount);
        Assert.True(ElfProgramHeader.TryReadCore(elf.AsSpan(64 + 56 * 6), ident.Layout, out var last));
        Assert.Equal((0x140000000UL, 0x8000000UL, TestTree.KcorePageOffset + 0x140000000), (last.PhysicalAddress, last.MemorySize, last.VirtualAddress));
    }

    [Fact]
    public void Without_the_firmware_map_a_normal_kernel_gets_proc_iomems_top_level()
    {
        Directory.Delete(Path.Join(_tree.Root, "/sys/firmware/memmap"), recursive: true);
        var zero = Plan(crash: false).Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        Assert.Equal(
        [
            (0x0UL, 0x1000UL, E820Type.Reserved), (0x1000UL, 0x9ec00UL, E820Type.Ram), (0x9fc00UL, 0x400UL, E820Type.Reserved),
            (0xf0000UL, 0x10000UL, E820Type.Reserved), (0x100000UL, 0x3fee0000UL, E820Type.Ram), (0x3ffe0000UL, 0x20000UL, E820Type.Reserved),
            (0xfed1c000UL, 0x4000UL, E820Type.Reserved),
        ], E820(zero));
    }

    [Fact]
    public void More_than_128_map_entries_continue_in_setup_data_after_the_command_line()
    {
        for (var i = 6; i < 136; i++)
        {
            var at = 0x200000000UL + (ulong)i * 0x200000;
            _tree.WriteSystemFile($"/sys/firmware/memmap/{i}/start", $"0x{at:x}\n");
            _tree.WriteSystemFile($"/sys/firmware/memmap/{i}/end", $"0x{at + 0xfffff:x}\n");
            _tree.WriteSystemFile($"/sys/firmware/memmap/{i}/type", "Reserved\n");
        }
        var image = Plan(crash: false);
        var zero = image.Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal));
        var d = zero.Data;
        Assert.Equal(128, d[BootParams.FieldLocations.E820Entries]);
        var node = (4096 + "console=ttyS0\0".Length + 7) / 8 * 8; // 8-aligned after the command line
        Assert.Equal(zero.Address + (ulong)node, BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(0x250)));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(node)));   // next
        Assert.Equal(1U, U32(d, node + 8));                                           // SETUP_E820_EXT
        Assert.Equal(8 * 20U, U32(d, node + 12));                                     // 136 − 128 entries
        Assert.Equal(node + 16 + 8 * 20, d.Length);
        Assert.Equal(0x200000000UL + 135 * 0x200000, BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(node + 16 + 7 * 20)));
    }

    [Fact]
    public void A_used_range_ending_at_the_top_of_the_address_space_is_refused_others_do_not_matter()
    {
        _tree.WriteSystemFile("/proc/iomem", TestTree.LegacyIomem + "100000000-ffffffffffffffff : PCI Bus 0000:00\n");
        Assert.NotEmpty(Plan(crash: true).Segments);
        _tree.WriteSystemFile("/proc/iomem", TestTree.LegacyIomem + "100000000-ffffffffffffffff : System RAM\n");
        var e = Assert.Throws<LegacyLoadException>(() => Plan(crash: true));
        Assert.Equal("/proc/iomem: 'System RAM' 0x100000000-0xffffffffffffffff ends at the top of the address space", e.Message);
    }

    [Fact]
    public void Nested_system_ram_counts_once_and_kmem_under_persistent_memory_is_dumped()
    {
        _tree.WriteSystemFile("/proc/iomem", TestTree.LegacyIomem +
            "140000000-17fffffff : Persistent Memory\n" +
            "  140000000-15fffffff : dax0.0\n" +
            "    140000000-15fffffff : System RAM (kmem)\n" +
            "      140000000-14fffffff : System RAM (kmem)\n");
        var loads = ElfLoads(Plan(crash: true));
        Assert.Equal([(0x100000UL, 0x2ef00000UL), (0x3f000000UL, 0xfe0000UL), (0x140000000UL, 0x20000000UL)],
            loads.Skip(1).Select(l => (l.PhysicalAddress, l.MemorySize)));
        var zero = Plan(crash: true).Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        Assert.Contains((0x140000000UL, 0x40000000UL, E820Type.Pmem), E820(zero));
    }

    [Fact]
    public void A_crash_map_of_more_than_128_entries_keeps_its_first_128_in_order_and_continues_in_setup_data()
    {
        var iomem = new System.Text.StringBuilder(TestTree.LegacyIomem);
        for (var i = 0; i < 130; i++) iomem.Append($"{0x200000000UL + (ulong)i * 0x200000:x}-{0x200000000UL + (ulong)i * 0x200000 + 0xfffff:x} : Reserved\n");
        _tree.WriteSystemFile("/proc/iomem", iomem.ToString());
        var image = Plan(crash: true);
        var zero = image.Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal));
        var d = zero.Data;
        var inPage = E820(d);
        Assert.Equal(128, inPage.Length);
        Assert.Equal(inPage.OrderBy(e => e.Address), inPage);
        Assert.Equal((0x0UL, 0x1000UL, E820Type.Reserved), inPage[0]);
        var node = (int)(BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(0x250)) - zero.Address);
        Assert.Equal(1U, U32(d, node + 8));
        var extra = (int)U32(d, node + 12) / 20;
        Assert.Equal(139 - 128, extra); // 9 of the q35 map + 130
        Assert.Equal(0x200000000UL + 129 * 0x200000, BinaryPrimitives.ReadUInt64LittleEndian(d.AsSpan(node + 16 + (extra - 1) * 20)));
    }

    [Fact]
    public void Without_extended_entries_setup_data_is_cleared_whatever_the_file_holds()
    {
        var kernel = BzImageStub.Loadable();
        BinaryPrimitives.WriteUInt64LittleEndian(kernel.AsSpan(0x250), 0xdeadbeef000);
        var zero = Plan(crash: true, kernel).Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(zero.AsSpan(0x250)));
    }

    [Fact]
    public void Hotplug_gives_the_elf_headers_the_room_the_kernel_asks_for_and_the_update_flag()
    {
        _tree.WriteSystemFile("/sys/kernel/crash_elfcorehdr_size", "65536\n");
        _tree.WriteFile("vmlinuz", BzImageStub.Loadable());
        var run = KexecRun.Invoke(_tree, "-c", "-p", "--hotplug", "vmlinuz");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["kexec_load(0x2f812030, 4, [{0x2f000000, 0x800000, 14336}, {0x2f800000, 0x10000, 400}, {0x2f810000, 0x2000, 4116}, " +
            "{0x2f812000, 0x1000, 4096}], KEXEC_ON_CRASH|KEXEC_UPDATE_ELFCOREHDR|KEXEC_ARCH_X86_64) = 0"], run.Calls);
        // The capture kernel must not take any of that room as RAM.
        var zero = BzImage64Legacy.Plan(BzImageStub.Loadable(), "vmlinuz", null, "", crash: true, LegacyMachine.Read(new SystemRoot(_tree.Root), true),
            new LegacyBounds(ElfHeaderRoom: 65536)).Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        Assert.DoesNotContain(E820(zero), e => e.Type == E820Type.Ram && e.Address < 0x2f810000 && e.Address + e.Size > 0x2f800000);
        Assert.Contains((0x2f810000UL, 0xf7f0000UL, E820Type.Ram), E820(zero));
        // A room larger than the crash memory (or "-1") is refused, not overflowed.
        _tree.WriteSystemFile("/sys/kernel/crash_elfcorehdr_size", "-1\n");
        var huge = KexecRun.Invoke(_tree, "-c", "-p", "--hotplug", "vmlinuz");
        Assert.Equal(255, huge.ExitCode);
        Assert.Equal("kexec: /sys/kernel/crash_elfcorehdr_size 18446744073709551615 is more than the crash kernel memory (268435456 bytes)\nCannot load $T/vmlinuz\n", huge.Stderr);
    }

    [Fact]
    public void Preserve_context_is_refused_by_this_kexec_load_path()
    {
        _tree.WriteFile("vmlinuz", BzImageStub.Loadable());
        var run = KexecRun.Invoke(_tree, "-c", "--load-preserve-context", "--mem-max=0x3fffffff", "vmlinuz");
        Assert.Equal(255, run.ExitCode);
        Assert.Equal("kexec: --load-preserve-context is not implemented with kexec_load in this kexec\n", run.Stderr);
        Assert.DoesNotContain(run.Calls, c => c.StartsWith("kexec_load", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Under_5_level_paging_a_kernel_without_xlf_5level_is_refused(bool crash)
    {
        _tree.WriteSystemFile("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme de pse la57 hypervisor\nbugs\t\t:\n");
        _tree.WriteSystemBytes("/proc/kcore", TestTree.Kcore((TestTree.KcoreText, TestTree.KcoreTextPhys, TestTree.KcoreTextSize), (0xff11000000000000, 0, 0x3ffe0000)));
        var e = Assert.Throws<LegacyLoadException>(() => Plan(crash));
        Assert.Equal("bzImage cannot handle 5-level paging mode.", e.Message);
        var kernel = BzImageStub.Loadable();
        kernel[0x236] |= 0x20; // XLF_5LEVEL
        var image = Plan(crash, kernel);
        if (crash) Assert.Equal(0xff11000000000000UL + 0x100000, ElfLoads(image)[1].VirtualAddress);
        // Four levels (no la57): the same kernel without the flag loads.
        _tree.WriteSystemFile("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme de pse hypervisor\n");
        Assert.NotEmpty(Plan(crash).Segments);
    }

    [Fact]
    public void An_empty_initrd_is_no_initrd()
    {
        var image = BzImage64Legacy.Plan(BzImageStub.Loadable(), "vmlinuz", [], "", crash: true, LegacyMachine.Read(new SystemRoot(_tree.Root), true));
        Assert.DoesNotContain(image.Segments, s => s.Name == "initrd");
        var zero = image.Segments.Single(s => s.Name.StartsWith("zero", StringComparison.Ordinal)).Data;
        Assert.Equal((0U, 0U), (U32(zero, BootParams.FieldLocations.RamdiskImage), U32(zero, BootParams.FieldLocations.RamdiskSize)));
    }

    private static List<ElfProgramHeader> ElfLoads(LegacyImage image)
    {
        var elf = image.Segments.Single(s => s.Name == "ELF core headers").Data;
        Assert.True(ElfIdent.TryReadCore(elf, out var ident));
        Assert.True(ElfHeader.TryReadCore(elf, ident, out var eh));
        var loads = new List<ElfProgramHeader>();
        for (var i = 0; i < eh.ProgramHeaderCount; i++)
        {
            Assert.True(ElfProgramHeader.TryReadCore(elf.AsSpan(64 + 56 * i), ident.Layout, out var ph));
            if (ph.Type == ElfConstants.PtLoad) loads.Add(ph);
        }
        return loads;
    }
}
