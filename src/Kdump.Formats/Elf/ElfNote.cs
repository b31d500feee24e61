using System.Text;
using Kdump.Primitives;
using Kdump.Primitives.Errors;

namespace Kdump.Formats.Elf;

/// <summary>One ELF note: Elf32_Nhdr and Elf64_Nhdr are the same three 32-bit words.</summary>
public sealed record ElfNote(string Name, uint Type, ReadOnlyMemory<byte> Descriptor, long FileOffset)
{
    internal static class FieldLocations
    {
        public const int NameSize = 0;    // n_namesz (includes the NUL)
        public const int DescSize = 4;    // n_descsz
        public const int Type = 8;        // n_type
        public const int Size = 12;
    }

    /// <summary>Name and descriptor are each padded to 4 bytes in core files of both classes.</summary>
    public const int Alignment = 4;

    /// <summary>Where the descriptor of a note named <paramref name="name"/> starts: the header, then the name with its NUL, aligned.</summary>
    public static int DescriptorOffset(string name) => FieldLocations.Size + AlignUp(System.Text.Encoding.ASCII.GetByteCount(name) + 1);

    public static int AlignUp(int value) => checked((value + (Alignment - 1)) & ~(Alignment - 1));

    /// <summary>
    /// Parses a PT_NOTE payload. A note header with n_namesz 0 (the kernel's terminating empty note)
    /// or fewer than 12 bytes left ends the list: /proc/vmcore and kexec-tools pad PT_NOTEs with zeros.
    /// </summary>
    /// <param name="segmentOffset">File offset of <paramref name="segment"/>, for messages and <see cref="FileOffset"/>.</param>
    public static List<ElfNote> ParseAll(ReadOnlyMemory<byte> segment, DataLayout layout, string? file, long segmentOffset)
    {
        var notes = new List<ElfNote>();
        var span = segment.Span;
        var pos = 0;
        while (span.Length - pos >= FieldLocations.Size)
        {
            var r = new EndianReader(span.Slice(pos, FieldLocations.Size), layout);
            var nameSize = r.U32(FieldLocations.NameSize);
            var descSize = r.U32(FieldLocations.DescSize);
            var type = r.U32(FieldLocations.Type);
            if (nameSize == 0) break;
            var at = checked(segmentOffset + pos);
            var left = (uint)(span.Length - pos - FieldLocations.Size);
            if (nameSize > left)
                throw DumpErrors.Corrupt(file, "ELF note n_namesz", nameSize.ToString(), at, $"exceeds the {left} bytes left in the PT_NOTE segment");
            var nameStart = pos + FieldLocations.Size;
            var nameAligned = AlignUp((int)nameSize);
            var afterName = (uint)Math.Max(0, span.Length - nameStart - nameAligned);
            if (descSize > afterName)
                throw DumpErrors.Corrupt(file, "ELF note n_descsz", descSize.ToString(), at, $"exceeds the {afterName} bytes left in the PT_NOTE segment");
            var nameBytes = span.Slice(nameStart, (int)nameSize);
            var name = NulTerminated.Ascii(nameBytes);
            var descStart = Math.Min(nameStart + nameAligned, span.Length);
            notes.Add(new ElfNote(name, type, segment.Slice(descStart, (int)descSize), checked(segmentOffset + descStart)));
            // The last note may omit the padding of its descriptor; Min keeps the position in range.
            pos = (int)Math.Min(span.Length, (long)descStart + AlignUp((int)descSize));
        }
        return notes;
    }

    /// <summary>Size of this note in a PT_NOTE segment, padding included.</summary>
    public int EncodedSize => checked(FieldLocations.Size + AlignUp(Encoding.ASCII.GetByteCount(Name) + 1) + AlignUp(Descriptor.Length));

    public int WriteCore(Span<byte> block, DataLayout layout)
    {
        var size = EncodedSize;
        block[..size].Clear();
        var w = new EndianWriter(block, layout);
        var nameLength = Encoding.ASCII.GetByteCount(Name) + 1;
        w.U32(FieldLocations.NameSize, (uint)nameLength);
        w.U32(FieldLocations.DescSize, (uint)Descriptor.Length);
        w.U32(FieldLocations.Type, Type);
        Encoding.ASCII.GetBytes(Name, block[FieldLocations.Size..]);
        Descriptor.Span.CopyTo(block[(FieldLocations.Size + AlignUp(nameLength))..]);
        return size;
    }
}
