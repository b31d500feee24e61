using Kdump.Primitives;

namespace Kdump.Formats.Elf;

/// <summary>Elf32_Phdr / Elf64_Phdr, widened to 64-bit values.</summary>
public readonly record struct ElfProgramHeader
{
    public uint Type { get; init; }              // p_type
    public uint Flags { get; init; }             // p_flags
    public ulong Offset { get; init; }           // p_offset
    public ulong VirtualAddress { get; init; }   // p_vaddr
    public ulong PhysicalAddress { get; init; }  // p_paddr
    public ulong FileSize { get; init; }         // p_filesz
    public ulong MemorySize { get; init; }       // p_memsz
    public ulong Align { get; init; }            // p_align

    internal static class FieldLocations
    {
        /// <summary>Elf32_Phdr, 32 bytes: p_flags comes after p_memsz.</summary>
        public static class Elf32
        {
            public const int Type = 0;        // p_type
            public const int Offset = 4;      // p_offset
            public const int VAddr = 8;       // p_vaddr
            public const int PAddr = 12;      // p_paddr
            public const int FileSz = 16;     // p_filesz
            public const int MemSz = 20;      // p_memsz
            public const int Flags = 24;      // p_flags
            public const int Align = 28;      // p_align
            public const int Size = 32;
        }

        /// <summary>Elf64_Phdr, 56 bytes: p_flags comes second, for alignment.</summary>
        public static class Elf64
        {
            public const int Type = 0;        // p_type
            public const int Flags = 4;       // p_flags
            public const int Offset = 8;      // p_offset
            public const int VAddr = 16;      // p_vaddr
            public const int PAddr = 24;      // p_paddr
            public const int FileSz = 32;     // p_filesz
            public const int MemSz = 40;      // p_memsz
            public const int Align = 48;      // p_align
            public const int Size = 56;
        }
    }

    public static int SizeOf(DataLayout layout) => layout.Is64Bit ? FieldLocations.Elf64.Size : FieldLocations.Elf32.Size;

    public static bool TryReadCore(ReadOnlySpan<byte> block, DataLayout layout, out ElfProgramHeader header)
    {
        header = default;
        if (block.Length < SizeOf(layout)) return false;
        var r = new EndianReader(block, layout);
        header = layout.Is64Bit
            ? new ElfProgramHeader
            {
                Type = r.U32(FieldLocations.Elf64.Type),
                Flags = r.U32(FieldLocations.Elf64.Flags),
                Offset = r.U64(FieldLocations.Elf64.Offset),
                VirtualAddress = r.U64(FieldLocations.Elf64.VAddr),
                PhysicalAddress = r.U64(FieldLocations.Elf64.PAddr),
                FileSize = r.U64(FieldLocations.Elf64.FileSz),
                MemorySize = r.U64(FieldLocations.Elf64.MemSz),
                Align = r.U64(FieldLocations.Elf64.Align),
            }
            : new ElfProgramHeader
            {
                Type = r.U32(FieldLocations.Elf32.Type),
                Flags = r.U32(FieldLocations.Elf32.Flags),
                Offset = r.U32(FieldLocations.Elf32.Offset),
                VirtualAddress = r.U32(FieldLocations.Elf32.VAddr),
                PhysicalAddress = WidenPhysical(r.U32(FieldLocations.Elf32.PAddr)),
                FileSize = r.U32(FieldLocations.Elf32.FileSz),
                MemorySize = r.U32(FieldLocations.Elf32.MemSz),
                Align = r.U32(FieldLocations.Elf32.Align),
            };
        return true;
    }

    // In ELF32 "no physical address" is 0xffffffff; keep one spelling of it above this layer.
    private static ulong WidenPhysical(uint paddr) => paddr == uint.MaxValue ? ElfConstants.NoPhysicalAddress : paddr;

    public void WriteCore(Span<byte> block, DataLayout layout)
    {
        block[..SizeOf(layout)].Clear();
        var w = new EndianWriter(block, layout);
        if (layout.Is64Bit)
        {
            w.U32(FieldLocations.Elf64.Type, Type);
            w.U32(FieldLocations.Elf64.Flags, Flags);
            w.U64(FieldLocations.Elf64.Offset, Offset);
            w.U64(FieldLocations.Elf64.VAddr, VirtualAddress);
            w.U64(FieldLocations.Elf64.PAddr, PhysicalAddress);
            w.U64(FieldLocations.Elf64.FileSz, FileSize);
            w.U64(FieldLocations.Elf64.MemSz, MemorySize);
            w.U64(FieldLocations.Elf64.Align, Align);
        }
        else
        {
            w.U32(FieldLocations.Elf32.Type, Type);
            w.U32(FieldLocations.Elf32.Flags, Flags);
            w.U32(FieldLocations.Elf32.Offset, checked((uint)Offset));
            w.U32(FieldLocations.Elf32.VAddr, checked((uint)VirtualAddress));
            w.U32(FieldLocations.Elf32.PAddr, PhysicalAddress == ElfConstants.NoPhysicalAddress ? uint.MaxValue : checked((uint)PhysicalAddress));
            w.U32(FieldLocations.Elf32.FileSz, checked((uint)FileSize));
            w.U32(FieldLocations.Elf32.MemSz, checked((uint)MemorySize));
            w.U32(FieldLocations.Elf32.Align, checked((uint)Align));
        }
    }
}
