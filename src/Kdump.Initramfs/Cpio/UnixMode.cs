namespace Kdump.Initramfs.Cpio;

/// <summary>st_mode bits (sys/stat.h) written into c_mode. C# has no octal literals: each name spells its octal value.</summary>
public static class UnixMode
{
    public const uint Regular = 0x8000;     // S_IFREG  0100000
    public const uint Directory = 0x4000;   // S_IFDIR  0040000
    public const uint Symlink = 0xA000;     // S_IFLNK  0120000
    public const uint CharDevice = 0x2000;  // S_IFCHR  0020000

    public const uint Perm0600 = 0x180;
    public const uint Perm0644 = 0x1A4;
    public const uint Perm0666 = 0x1B6;
    public const uint Perm0700 = 0x1C0;
    public const uint Perm0755 = 0x1ED;
    public const uint Perm0777 = 0x1FF;
}
