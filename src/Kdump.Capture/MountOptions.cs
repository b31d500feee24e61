namespace Kdump.Capture;

/// <summary>
/// An fstab option string split the way mount(8) does before calling mount(2): the generic options
/// become MS_* flags, options only userspace reads are dropped, the rest is the file system's data.
/// Passing "relatime" as ext4 data fails ("ext4: Unknown parameter 'relatime'"), and the options
/// come from the first kernel's /proc/mounts, which always lists such flags.
/// </summary>
public static class MountOptions
{
    // MS_* values from <linux/mount.h>.
    private const ulong MsRdonly = 1, MsNosuid = 2, MsNodev = 4, MsNoexec = 8, MsSynchronous = 16,
        MsMandlock = 64, MsDirsync = 128, MsNoatime = 1024, MsNodiratime = 2048, MsSilent = 32768,
        MsRelatime = 1 << 21, MsIVersion = 1 << 23, MsStrictatime = 1 << 24, MsLazytime = 1 << 25;

    /// <summary>Generic option → (flag, whether the option sets it or clears it).</summary>
    private static readonly Dictionary<string, (ulong Flag, bool Set)> s_flags = new(StringComparer.Ordinal)
    {
        ["ro"] = (MsRdonly, true), ["rw"] = (MsRdonly, false),
        ["nosuid"] = (MsNosuid, true), ["suid"] = (MsNosuid, false),
        ["nodev"] = (MsNodev, true), ["dev"] = (MsNodev, false),
        ["noexec"] = (MsNoexec, true), ["exec"] = (MsNoexec, false),
        ["sync"] = (MsSynchronous, true), ["async"] = (MsSynchronous, false),
        ["mand"] = (MsMandlock, true), ["nomand"] = (MsMandlock, false),
        ["dirsync"] = (MsDirsync, true),
        ["noatime"] = (MsNoatime, true), ["atime"] = (MsNoatime, false),
        ["nodiratime"] = (MsNodiratime, true), ["diratime"] = (MsNodiratime, false),
        ["silent"] = (MsSilent, true), ["loud"] = (MsSilent, false),
        ["relatime"] = (MsRelatime, true), ["norelatime"] = (MsRelatime, false),
        ["iversion"] = (MsIVersion, true), ["noiversion"] = (MsIVersion, false),
        ["strictatime"] = (MsStrictatime, true), ["nostrictatime"] = (MsStrictatime, false),
        ["lazytime"] = (MsLazytime, true), ["nolazytime"] = (MsLazytime, false),
    };

    /// <summary>Options mount(8) consumes itself (fstab and helper options), never given to the kernel.</summary>
    private static readonly HashSet<string> s_userspaceOnly = new(StringComparer.Ordinal)
    {
        "defaults", "auto", "noauto", "user", "nouser", "users", "owner", "group", "nofail", "_netdev",
        "nobootwait",
    };

    /// <summary>Flags and the remaining data string (null when nothing is left).</summary>
    public static (ulong Flags, string? Data) Split(string options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ulong flags = 0;
        var data = new List<string>();
        foreach (var option in options.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (s_flags.TryGetValue(option, out var f)) flags = f.Set ? flags | f.Flag : flags & ~f.Flag;
            else if (s_userspaceOnly.Contains(option) || option.StartsWith("x-", StringComparison.Ordinal)
                     || option.StartsWith("comment=", StringComparison.Ordinal)) continue;
            else data.Add(option);
        }
        return (flags, data.Count == 0 ? null : string.Join(',', data));
    }
}
