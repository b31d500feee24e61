using Kdump.Formats;
using Kdump.Memory;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Memory;

/// <summary>
/// Reads kernel-virtual bytes of a dump: each piece is translated by the chosen strategy and read
/// from physical memory, so a read may cross pages and mappings. Integers are decoded in the
/// dumped machine's byte order and word size.
/// </summary>
public sealed class KernelMemory(IPhysicalMemory physical, IVirtualTranslator translator, DataLayout layout, string? dumpName = null)
{
    public DataLayout Layout { get; } = layout;

    public IVirtualTranslator Translator { get; } = translator;

    public IPhysicalMemory Physical { get; } = physical;

    /// <summary>Fills <paramref name="destination"/> from <paramref name="address"/> or throws a taxonomy error naming the address.</summary>
    /// <exception cref="KernelAddressNotMappedException">Some byte has no translation.</exception>
    /// <exception cref="PageNotStoredException">Some byte's page is not in the dump.</exception>
    /// <exception cref="DumpCorruptException">Some byte's page is stored damaged.</exception>
    public void Read(VirtAddr address, Span<byte> destination)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var va = address.Add((ulong)done);
            var t = Translator.Translate(va);
            if (!t.IsOk || t.ContiguousBytes == 0)
            {
                throw new KernelAddressNotMappedException(
                    DumpErrors.Describe(dumpName, "kernel address", $"0x{va.Value:x}", null,
                        t.Reason ?? $"not mapped by {Translator.Name}"),
                    va.Value);
            }
            var chunk = (int)Math.Min((ulong)(destination.Length - done), t.ContiguousBytes);
            var status = Physical.TryRead(t.Physical, destination.Slice(done, chunk));
            switch (status)
            {
                case PageReadStatus.Ok:
                    break;
                case PageReadStatus.NotStored:
                    throw new PageNotStoredException(DumpErrors.Describe(dumpName, "kernel address", $"0x{va.Value:x}", null,
                        $"physical address 0x{t.Physical.Value:x} is not in the dump"))
                    { Address = va.Value, FilePath = dumpName };
                default:
                    throw DumpErrors.Corrupt(dumpName, "kernel address", $"0x{va.Value:x}", null,
                        $"the page at physical address 0x{t.Physical.Value:x} is stored damaged");
            }
            done += chunk;
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes after checking it against <paramref name="limit"/> (before allocating).</summary>
    public byte[] ReadBytes(VirtAddr address, ulong count, int limit, string what)
    {
        if (count > (ulong)limit)
            throw DumpErrors.OverLimit(dumpName, what, count, (ulong)limit, null);
        var buffer = new byte[(int)count];
        Read(address, buffer);
        return buffer;
    }

    public ulong ReadWord(VirtAddr address)
    {
        Span<byte> b = stackalloc byte[8];
        var s = b[..Layout.WordBytes];
        Read(address, s);
        return new EndianReader(s, Layout).Word(0);
    }

    public ulong ReadU64(VirtAddr address)
    {
        Span<byte> b = stackalloc byte[8];
        Read(address, b);
        return new EndianReader(b, Layout).U64(0);
    }

    public uint ReadU32(VirtAddr address)
    {
        Span<byte> b = stackalloc byte[4];
        Read(address, b);
        return new EndianReader(b, Layout).U32(0);
    }
}
