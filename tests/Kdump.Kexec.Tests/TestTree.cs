using Kdump.Tests.Shared;

namespace Kdump.Kexec.Tests;

/// <summary>
/// A prepared system tree in a temporary directory: <c>root/</c> holds /proc and /sys files, the
/// directory itself holds kernels and initrds made by <see cref="WriteBzImage"/>.
/// </summary>
internal sealed class TestTree : IDisposable
{
    public const string IomemWithCrashKernel =
        "00000000-00000fff : Reserved\n" +
        "00100000-3ffdffff : System RAM\n" +
        "  01000000-01ffffff : Kernel code\n" +
        "  2f000000-3effffff : Crash kernel\n";

    public const string IomemWithoutCrashKernel =
        "00000000-00000fff : Reserved\n" +
        "00100000-3ffdffff : System RAM\n";

    public TestTree()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"kexec-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Root = Path.Combine(Directory, "root");
        System.IO.Directory.CreateDirectory(Path.Combine(Root, "proc"));
        System.IO.Directory.CreateDirectory(Path.Combine(Root, "sys", "kernel"));
    }

    public string Directory { get; }

    public string Root { get; }

    /// <summary>A typical kexec-capable machine: crash memory reserved, nothing loaded.</summary>
    public static TestTree Standard()
    {
        var t = new TestTree();
        t.WriteSystemFile("/proc/iomem", IomemWithCrashKernel);
        t.WriteSystemFile("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1234 ro crashkernel=256M quiet\n");
        t.WriteSystemFile("/sys/kernel/kexec_loaded", "0\n");
        t.WriteSystemFile("/sys/kernel/kexec_crash_loaded", "0\n");
        t.WriteSystemFile("/sys/kernel/kexec_crash_size", "268435456\n");
        t.WriteBzImage("vmlinuz");
        t.WriteFile("initrd.img", [0x30, 0x37, 0x30, 0x37, 0x30, 0x31]);
        return t;
    }

    /// <summary>
    /// The iomem of a QEMU q35 guest with 1 GiB and crashkernel=256M (its shape; the addresses of
    /// the Debian guests of eng/vmtest), the rest of what kexec_load's loader reads made to match:
    /// two CPUs' crash_notes, the VMCOREINFO note, /proc/kcore's headers, the firmware memory map
    /// and the boot's zero page.
    /// </summary>
    public const string LegacyIomem =
        "00000000-00000fff : Reserved\n" +
        "00001000-0009fbff : System RAM\n" +
        "0009fc00-0009ffff : Reserved\n" +
        "000f0000-000fffff : Reserved\n" +
        "  000f0000-000fffff : System ROM\n" +
        "00100000-3ffdffff : System RAM\n" +
        "  01000000-01e00e81 : Kernel code\n" +
        "  2f000000-3effffff : Crash kernel\n" +
        "3ffe0000-3fffffff : Reserved\n" +
        "b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]\n" +
        "  b0000000-bfffffff : Reserved\n" +
        "fed1c000-fed1ffff : Reserved\n";

    public const ulong KcoreText = 0xffffffff81000000, KcoreTextPhys = 0x1000000, KcoreTextSize = 0x2c00000;
    public const ulong KcorePageOffset = 0xffff888000000000;

    public void AddLegacyMachine()
    {
        WriteSystemFile("/proc/iomem", LegacyIomem);
        WriteSystemFile("/sys/devices/system/cpu/cpu0/crash_notes", "3dc1b4a0\n");
        WriteSystemFile("/sys/devices/system/cpu/cpu0/crash_notes_size", "368\n");
        WriteSystemFile("/sys/devices/system/cpu/cpu1/crash_notes", "3dc5b4a0\n");
        WriteSystemFile("/sys/devices/system/cpu/cpu1/crash_notes_size", "368\n");
        WriteSystemFile("/sys/devices/system/cpu/online", "0-1\n");
        WriteSystemFile("/sys/kernel/vmcoreinfo", "0x0000000002a8c000 1024\n");
        var memmap = new (ulong Start, ulong End, string Type)[]
        {
            (0x0, 0x9fbff, "System RAM"), (0x9fc00, 0x9ffff, "Reserved"), (0xf0000, 0xfffff, "Reserved"),
            (0x100000, 0x3ffdffff, "System RAM"), (0x3ffe0000, 0x3fffffff, "Reserved"), (0xb0000000, 0xbfffffff, "Reserved"),
        };
        for (var i = 0; i < memmap.Length; i++)
        {
            WriteSystemFile($"/sys/firmware/memmap/{i}/start", $"0x{memmap[i].Start:x}\n");
            WriteSystemFile($"/sys/firmware/memmap/{i}/end", $"0x{memmap[i].End:x}\n");
            WriteSystemFile($"/sys/firmware/memmap/{i}/type", memmap[i].Type + "\n");
        }
        var zeroPage = new byte[4096];
        zeroPage[0x0f] = 0x22;   // screen_info.orig_video_isVGA: VGA text, copied to the next kernel
        zeroPage[0x23c] = 0;     // hardware_subarch: PC
        WriteSystemBytes("/sys/kernel/boot_params/data", zeroPage);
        WriteSystemBytes("/proc/kcore", Kcore(
            (KcoreText, KcoreTextPhys, KcoreTextSize),
            (KcorePageOffset, 0, 0x3ffe0000),
            (0xffffc90000000000, ulong.MaxValue, 0x200000000000)));
    }

    /// <summary>/proc/kcore's ELF header and PT_LOADs (vaddr, paddr or -1, size); no data follows.</summary>
    public static byte[] Kcore(params (ulong VAddr, ulong PAddr, ulong Size)[] loads)
    {
        var layout = Kdump.Primitives.DataLayout.LittleEndian64;
        var data = new byte[64 + 56 * loads.Length];
        new Kdump.Formats.Elf.ElfHeader
        {
            Ident = Kdump.Formats.Elf.ElfIdent.For(layout),
            Type = Kdump.Formats.Elf.ElfConstants.EtCore,
            Machine = Kdump.Formats.Elf.ElfConstants.EmX8664,
            Version = 1,
            ProgramHeaderOffset = 64,
            HeaderSize = 64,
            ProgramHeaderEntrySize = 56,
            ProgramHeaderCount = (ushort)loads.Length,
        }.WriteCore(data);
        for (var i = 0; i < loads.Length; i++)
        {
            new Kdump.Formats.Elf.ElfProgramHeader
            {
                Type = Kdump.Formats.Elf.ElfConstants.PtLoad,
                VirtualAddress = loads[i].VAddr,
                PhysicalAddress = loads[i].PAddr,
                MemorySize = loads[i].Size,
                FileSize = loads[i].Size,
            }.WriteCore(data.AsSpan(64 + 56 * i), layout);
        }
        return data;
    }

    public void WriteSystemBytes(string systemPath, byte[] bytes)
    {
        var path = Path.Join(Root, systemPath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    public void WriteSystemFile(string systemPath, string text)
    {
        var path = Path.Join(Root, systemPath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A bzImage stub (<see cref="BzImageStub"/>) in the tree's directory.</summary>
    public string WriteBzImage(string name, ushort protocol = 0x020f, byte loadFlags = 0x01, ushort xloadFlags = 0x0003, int length = 2048) =>
        WriteFile(name, BzImageStub.Bytes(protocol, loadFlags, xloadFlags, length));

    /// <summary>Replaces the temporary directory by "$T" so that golden text is stable.</summary>
    public string Relative(string text) => text.Replace(Directory, "$T", StringComparison.Ordinal);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
