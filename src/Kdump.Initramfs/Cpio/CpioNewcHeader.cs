using System.Globalization;
using System.Text;
using Kdump.Primitives.Errors;

namespace Kdump.Initramfs.Cpio;

/// <summary>
/// The "newc" (SVR4 portable, no checksum) cpio header the kernel's initramfs unpacker reads
/// (Documentation/driver-api/early-userspace/buffer-format.rst, init/initramfs.c). Every field
/// is 8 ASCII hex digits; the name (with its NUL) and the data are each padded to 4 bytes.
/// </summary>
internal static class CpioNewcHeader
{
    public const string Magic = "070701";
    public const int Size = 110;
    public const string TrailerName = "TRAILER!!!";

    /// <summary>Byte offsets of the fields (each <see cref="FieldLength"/> hex digits after the magic).</summary>
    public static class FieldLocations
    {
        public const int Magic = 0;       // c_magic[6]
        public const int Ino = 6;         // c_ino
        public const int Mode = 14;       // c_mode
        public const int Uid = 22;        // c_uid
        public const int Gid = 30;        // c_gid
        public const int Nlink = 38;      // c_nlink
        public const int Mtime = 46;      // c_mtime
        public const int FileSize = 54;   // c_filesize
        public const int DevMajor = 62;   // c_devmajor
        public const int DevMinor = 70;   // c_devminor
        public const int RdevMajor = 78;  // c_rdevmajor
        public const int RdevMinor = 86;  // c_rdevminor
        public const int NameSize = 94;   // c_namesize (including the NUL)
        public const int Check = 102;     // c_check (0 for newc)
    }

    public const int FieldLength = 8;

    /// <summary>Writes one header (no name, no padding) into <paramref name="block"/>.</summary>
    public static void WriteCore(Span<byte> block, in CpioNewcFields f)
    {
        if (block.Length < Size) throw new ArgumentException("cpio header block too small", nameof(block));
        Encoding.ASCII.GetBytes(Magic, block);
        Put(block, FieldLocations.Ino, f.Ino);
        Put(block, FieldLocations.Mode, f.Mode);
        Put(block, FieldLocations.Uid, f.Uid);
        Put(block, FieldLocations.Gid, f.Gid);
        Put(block, FieldLocations.Nlink, f.Nlink);
        Put(block, FieldLocations.Mtime, f.Mtime);
        Put(block, FieldLocations.FileSize, f.FileSize);
        Put(block, FieldLocations.DevMajor, 0);
        Put(block, FieldLocations.DevMinor, 0);
        Put(block, FieldLocations.RdevMajor, f.RdevMajor);
        Put(block, FieldLocations.RdevMinor, f.RdevMinor);
        Put(block, FieldLocations.NameSize, f.NameSize);
        Put(block, FieldLocations.Check, 0);
    }

    /// <summary>
    /// Parses one header (pure): magic <c>070701</c> or <c>070702</c> (same layout with a checksum
    /// of the data, which the kernel checks and this reader, which wants no verdict on the data, does not),
    /// every field 8 hex digits. Errors name the field and
    /// <paramref name="offset"/>, the header's place in <paramref name="file"/> (or, after
    /// <paramref name="where"/>, in a segment's decompressed data).
    /// </summary>
    public static CpioNewcFields ReadCore(ReadOnlySpan<byte> block, string file, long offset, string where = "")
    {
        if (block.Length < Size) throw DumpErrors.Truncated(file, where + "cpio header", offset, Size, checked(offset + block.Length));
        var magic = block[..FieldLocations.Ino];
        if (!magic.SequenceEqual("070701"u8) && !magic.SequenceEqual("070702"u8))
        {
            var what = magic.SequenceEqual("070707"u8) ? "an old portable (odc) cpio header; only newc is read"
                : "not a newc cpio header";
            throw DumpErrors.Corrupt(file, where + "c_magic", Printable(magic), offset, what);
        }
        return new CpioNewcFields(
            Get(where, block, FieldLocations.Ino, "c_ino", file, offset),
            Get(where, block, FieldLocations.Mode, "c_mode", file, offset),
            Get(where, block, FieldLocations.Uid, "c_uid", file, offset),
            Get(where, block, FieldLocations.Gid, "c_gid", file, offset),
            Get(where, block, FieldLocations.Nlink, "c_nlink", file, offset),
            Get(where, block, FieldLocations.Mtime, "c_mtime", file, offset),
            Get(where, block, FieldLocations.FileSize, "c_filesize", file, offset),
            Get(where, block, FieldLocations.RdevMajor, "c_rdevmajor", file, offset),
            Get(where, block, FieldLocations.RdevMinor, "c_rdevminor", file, offset),
            Get(where, block, FieldLocations.NameSize, "c_namesize", file, offset));
    }

    private static uint Get(string where, ReadOnlySpan<byte> block, int at, string field, string file, long offset)
    {
        var digits = block.Slice(at, FieldLength);
        uint value = 0;
        foreach (var b in digits)
        {
            var d = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (d < 0) throw DumpErrors.Corrupt(file, where + field, Printable(digits), offset + at, "is not 8 hexadecimal digits");
            value = (value << 4) | (uint)d;
        }
        return value;
    }

    /// <summary>Header bytes for a message: ASCII as is, anything else as \xNN.</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2).Append('\'');
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7f) sb.Append((char)b);
            else sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }
        return sb.Append('\'').ToString();
    }

    private static void Put(Span<byte> block, int offset, uint value)
    {
        // Upper-case hex, as GNU cpio and the kernel's usr/gen_init_cpio write it.
        var ok = value.TryFormat(block.Slice(offset, FieldLength), out var written, "X8", CultureInfo.InvariantCulture);
        if (!ok || written != FieldLength) throw new InvalidOperationException("cpio field formatting failed");
    }

    /// <summary>Bytes of zero padding after <paramref name="length"/> bytes to reach a 4-byte boundary.</summary>
    public static int PadTo4(long length) => (int)((4 - (length & 3)) & 3);
}

/// <summary>Values of one newc header.</summary>
internal readonly record struct CpioNewcFields(
    uint Ino, uint Mode, uint Uid, uint Gid, uint Nlink, uint Mtime, uint FileSize, uint RdevMajor, uint RdevMinor, uint NameSize);
