namespace Kdump.Config.Crashkernel;

/// <summary>
/// Per-architecture constants of the generic reservation code
/// (<c>arch/*/include/asm/crash_reserve.h</c>).
/// </summary>
public sealed record CrashkernelArch(string Name, bool SupportsHighLow, ulong DefaultLowSize, ulong Alignment, ulong LowMax, ulong HighMax)
{
    private const ulong SwiotlbDefault = 64 * MemorySize.MiB;

    /// <summary>
    /// x86_64: low default <c>max(swiotlb_size_or_default() + 8M, 256M)</c>, 16 MiB alignment,
    /// low limit 4 GiB, high limit 64 TiB.
    /// </summary>
    public static CrashkernelArch X64 { get; } = new(
        "x86_64", true, Math.Max(SwiotlbDefault + 8 * MemorySize.MiB, 256 * MemorySize.MiB),
        16 * MemorySize.MiB, 4 * MemorySize.GiB, 64 * MemorySize.TiB);

    /// <summary>arm64: low default 128 MiB (<c>arch/arm64/include/asm/crash_reserve.h</c>), 2 MiB alignment.</summary>
    public static CrashkernelArch Aarch64 { get; } = new(
        "aarch64", true, 128 * MemorySize.MiB, 2 * MemorySize.MiB, 4 * MemorySize.GiB, ulong.MaxValue);

    /// <summary>Architectures without <c>,high</c>/<c>,low</c> (ppc64le, s390x): only <c>crashkernel=X[@Y]</c> and ranges.</summary>
    public static CrashkernelArch Simple(string name) => new(name, false, 0, 0, 0, 0);
}
