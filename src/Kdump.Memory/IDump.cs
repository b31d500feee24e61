using Kdump.Primitives;

namespace Kdump.Memory;

/// <summary>An opened dump of any supported format, as the kernel layer needs it.</summary>
public interface IDump : IDisposable
{
    /// <summary>The path or name given by the user.</summary>
    string Name { get; }

    /// <summary>Short format name: "elf64", "elf32", "kdump-compressed", "flattened+kdump-compressed" …</summary>
    string FormatName { get; }

    /// <summary>Byte order and word size of the dumped machine.</summary>
    DataLayout Layout { get; }

    /// <summary>The VMCOREINFO note text, or empty when the dump has none.</summary>
    ReadOnlyMemory<byte> VmcoreInfo { get; }

    /// <summary>Physical memory.</summary>
    IPhysicalMemory Physical { get; }

    /// <summary>Kernel-virtual ranges the dump maps itself (ELF PT_LOAD with a virtual address); may be empty.</summary>
    IReadOnlyList<KernelSegment> KernelSegments { get; }
}
