namespace Kdump.Kexec;

/// <summary>--reuse-cmdline: the running kernel's command line made fit for the next kernel.</summary>
public static class ProcCmdline
{
    /// <summary>
    /// /proc/cmdline text → the reused command line (kexec-tools get_command_line): the last byte
    /// (the newline) is dropped, the line ends at the first CR/LF, every BOOT_IMAGE parameter goes
    /// and, for a crash kernel, every crashkernel parameter.
    /// </summary>
    public static string ForReuse(string procCmdline, bool crash)
    {
        ArgumentNullException.ThrowIfNull(procCmdline);
        var line = procCmdline.Length > 0 ? procCmdline[..^1] : procCmdline;
        var cut = line.IndexOfAny(['\r', '\n']);
        if (cut >= 0) line = line[..cut];
        line = RemoveParameter(line, "BOOT_IMAGE");
        if (crash) line = RemoveParameter(line, "crashkernel");
        return line;
    }

    /// <summary>
    /// kexec-tools remove_parameter(): repeatedly removes the word that starts with
    /// <paramref name="name"/> together with the blank after it. Like upstream it stops at the first
    /// occurrence that is not at a word start ("xcrashkernel=1 crashkernel=2" keeps both), and a
    /// name matches any parameter it prefixes ("crashkernel" also removes "crashkernel_foo").
    /// </summary>
    public static string RemoveParameter(string line, string name)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var start = line.IndexOf(name, StringComparison.Ordinal);
        while (start >= 0)
        {
            if (start != 0 && !IsCSpace(line[start - 1])) break;
            var end = line.IndexOf(' ', start);
            line = end < 0 ? line[..start] : string.Concat(line.AsSpan(0, start), line.AsSpan(end + 1));
            start = line.IndexOf(name, StringComparison.Ordinal);
        }
        return line;
    }

    /// <summary>concat_cmdline(): base + " " + append, either alone, or null when both are null.</summary>
    public static string? Concat(string? reused, string? append) => (reused, append) switch
    {
        (null, null) => null,
        (null, _) => append,
        (_, null) => reused,
        _ => $"{reused} {append}",
    };

    private static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
