using System.Buffers.Binary;
using Kdump.Primitives;

namespace Kdump.Capture.Linux;

/// <summary>
/// Finds the block device behind <c>UUID=</c> or <c>LABEL=</c> without udev (the capture
/// initramfs has no /dev/disk/by-*): scans /sys/class/block and reads each device's superblock.
/// Knows ext2/3/4 and XFS, the file systems upstream supports as kdump targets besides btrfs.
/// </summary>
public static class BlockDeviceProbe
{
    /// <summary>ext2/3/4 superblock, 1024 bytes into the device (linux/fs/ext4/ext4.h struct ext4_super_block).</summary>
    private static class Ext4Locations
    {
        public const int Superblock = 1024;
        public const int Magic = 0x38;       // s_magic (0xEF53)
        public const int Uuid = 0x68;        // s_uuid[16]
        public const int VolumeName = 0x78;  // s_volume_name[16]
    }

    /// <summary>XFS superblock at offset 0 (fs/xfs/libxfs/xfs_format.h struct xfs_dsb), big-endian.</summary>
    private static class XfsLocations
    {
        public const int Magic = 0;     // sb_magicnum "XFSB"
        public const int Uuid = 32;     // sb_uuid[16]
        public const int Fname = 108;   // sb_fname[12]
    }

    /// <summary>/dev path for a device spec, or null when it is not UUID=/LABEL= or nothing matches.</summary>
    public static string? Resolve(string spec, string sysClassBlock = "/sys/class/block", string devDir = "/dev")
    {
        ArgumentNullException.ThrowIfNull(spec);
        var s = spec.Replace("\"", "", StringComparison.Ordinal);
        bool byUuid;
        if (s.StartsWith("UUID=", StringComparison.Ordinal)) byUuid = true;
        else if (s.StartsWith("LABEL=", StringComparison.Ordinal)) byUuid = false;
        else return null;
        var wanted = s[(s.IndexOf('=', StringComparison.Ordinal) + 1)..];
        if (!Directory.Exists(sysClassBlock)) return null;
        var buffer = new byte[2048];
        foreach (var entry in Directory.EnumerateFileSystemEntries(sysClassBlock).Order(StringComparer.Ordinal))
        {
            var dev = Path.Combine(devDir, Path.GetFileName(entry));
            try
            {
                using var f = File.OpenRead(dev);
                if (f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length) continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var (uuid, label) = Identify(buffer);
            if (uuid is null) continue;
            if (byUuid ? string.Equals(uuid, wanted, StringComparison.OrdinalIgnoreCase) : label == wanted) return dev;
        }
        return null;
    }

    /// <summary>(UUID, label) of the first 2 KiB of a device, or (null, null) for an unknown file system.</summary>
    public static (string? Uuid, string? Label) Identify(ReadOnlySpan<byte> head)
    {
        if (head.Length >= Ext4Locations.Superblock + Ext4Locations.VolumeName + 16
            && BinaryPrimitives.ReadUInt16LittleEndian(head[(Ext4Locations.Superblock + Ext4Locations.Magic)..]) == 0xEF53)
        {
            var sb = head[Ext4Locations.Superblock..];
            return (FormatUuid(sb.Slice(Ext4Locations.Uuid, 16)), NulTerminated.Utf8(sb.Slice(Ext4Locations.VolumeName, 16)));
        }
        if (head.Length >= XfsLocations.Fname + 12 && head[..4].SequenceEqual("XFSB"u8))
            return (FormatUuid(head.Slice(XfsLocations.Uuid, 16)), NulTerminated.Utf8(head.Slice(XfsLocations.Fname, 12)));
        return (null, null);
    }

    private static string FormatUuid(ReadOnlySpan<byte> u)
    {
        var hex = Convert.ToHexStringLower(u);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
