namespace Kdump.Config;

/// <summary>
/// Bounds for configuration input. Upstream's shell has none; we refuse absurd input with a
/// clear message instead of slowing to a crawl or allocating without limit.
/// </summary>
public sealed record ConfigLimits
{
    public static ConfigLimits Default { get; } = new();

    /// <summary>Largest configuration file read (kdump.conf, sysconfig, a BLS entry, /etc/default/grub).</summary>
    public int MaxFileBytes
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 1 << 20;

    /// <summary>Longest single line accepted.</summary>
    public int MaxLineLength
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 64 * 1024;

    /// <summary>Longest kernel command line handled (the kernel's own COMMAND_LINE_SIZE is 2048 on x86_64).</summary>
    public int MaxCommandLineLength
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    } = 64 * 1024;
}
