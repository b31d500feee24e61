using Kdump.Config.Shell;

namespace Kdump.Config.Sysconfig;

/// <summary>
/// The variables of <c>/etc/sysconfig/kdump</c> (kdump-utils 1.0.61, §2.1 of the fact sheet).
/// Values are literal; unset variables take kdumpctl's own fallbacks.
/// </summary>
public sealed record SysconfigKdump
{
    public const string FileName = "/etc/sysconfig/kdump";

    /// <summary>kdumpctl:39's fallback when the file does not set it.</summary>
    public const string FallbackCommandlineRemove = "hugepages hugepagesz slub_debug";

    public string KdumpKernelVer { get; init; } = "";
    public string KdumpCommandline { get; init; } = "";
    public string KdumpCommandlineRemove { get; init; } = FallbackCommandlineRemove;
    public string KdumpCommandlineAppend { get; init; } = "";
    public string FadumpCommandlineAppend { get; init; } = "";
    public string KexecArgs { get; init; } = "";

    /// <summary>Empty = search <c>/boot /boot/efi /efi /</c>.</summary>
    public string KdumpBootDir { get; init; } = "";

    /// <summary>Image basename; <c>vmlinuz</c> when the file does not set it (see docs/compat/kdump.conf.md).</summary>
    public string KdumpImg { get; init; } = "vmlinuz";
    public string KdumpImgExt { get; init; } = "";
    public string VmcoreCreationNotification { get; init; } = "";
    public string? KdumpStdLogLvl { get; init; }
    public string? KdumpSysLogLvl { get; init; }
    public string? KdumpKmsgLogLvl { get; init; }

    /// <summary>Every assignment of the file, for variables this record does not name.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>Boot directories searched for the kernel (<c>${KDUMP_BOOTDIR:-"/boot /boot/efi /efi /"}</c>).</summary>
    public IReadOnlyList<string> BootDirs => KdumpBootDir.Length > 0 ? ShellChars.SplitWords(KdumpBootDir) : ["/boot", "/boot/efi", "/efi", "/"];

    /// <summary>Builds the record from a parsed file; absent variables keep their fallbacks.</summary>
    public static SysconfigKdump From(ShellAssignmentFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var d = new SysconfigKdump();
        return d with
        {
            KdumpKernelVer = file.Get("KDUMP_KERNELVER") ?? d.KdumpKernelVer,
            KdumpCommandline = file.Get("KDUMP_COMMANDLINE") ?? d.KdumpCommandline,
            KdumpCommandlineRemove = file.Get("KDUMP_COMMANDLINE_REMOVE") ?? d.KdumpCommandlineRemove,
            KdumpCommandlineAppend = file.Get("KDUMP_COMMANDLINE_APPEND") ?? d.KdumpCommandlineAppend,
            FadumpCommandlineAppend = file.Get("FADUMP_COMMANDLINE_APPEND") ?? d.FadumpCommandlineAppend,
            KexecArgs = file.Get("KEXEC_ARGS") ?? d.KexecArgs,
            KdumpBootDir = file.Get("KDUMP_BOOTDIR") ?? d.KdumpBootDir,
            KdumpImg = file.Get("KDUMP_IMG") ?? d.KdumpImg,
            KdumpImgExt = file.Get("KDUMP_IMG_EXT") ?? d.KdumpImgExt,
            VmcoreCreationNotification = file.Get("VMCORE_CREATION_NOTIFICATION") ?? d.VmcoreCreationNotification,
            KdumpStdLogLvl = file.Get("KDUMP_STDLOGLVL"),
            KdumpSysLogLvl = file.Get("KDUMP_SYSLOGLVL"),
            KdumpKmsgLogLvl = file.Get("KDUMP_KMSGLOGLVL"),
            Variables = file.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>Reads and parses the file text (null text = file missing → all fallbacks).</summary>
    public static SysconfigKdump Parse(string? text, string fileName = FileName, ConfigLimits? limits = null) =>
        From(text is null ? ShellAssignmentFile.Empty : ShellAssignmentFile.Parse(text, fileName, limits));

    /// <summary>kdumpctl <c>test</c>: the append line with <c> kdump_test_id=&lt;id&gt; </c> added.</summary>
    public SysconfigKdump WithTestId(string testId) =>
        this with { KdumpCommandlineAppend = KdumpCommandlineAppend + " kdump_test_id=" + testId + " " };
}
