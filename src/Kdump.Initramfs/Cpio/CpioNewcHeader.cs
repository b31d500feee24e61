using System.Globalization;
using System.Text;

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
