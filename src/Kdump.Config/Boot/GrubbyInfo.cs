namespace Kdump.Config.Boot;

/// <summary>
/// kdumpctl <c>_get_all_kernels_from_grubby</c>: <c>grubby --info</c> output → entries
/// (<c>index=</c>, <c>kernel="…"</c>, <c>args="…"</c>).
/// </summary>
public static class GrubbyInfo
{
    public static IReadOnlyList<BootEntry> Parse(string grubbyInfoOutput)
    {
        ArgumentNullException.ThrowIfNull(grubbyInfoOutput);
        var entries = new List<BootEntry>();
        int? index = null;
        string kernel = "", args = "";
        void Flush()
        {
            if (index is { } i && kernel.Length > 0) entries.Add(new BootEntry(i, kernel, args));
        }
        foreach (var line in TextLines.Split(grubbyInfoOutput))
        {
            if (line.StartsWith("index=", StringComparison.Ordinal))
            {
                Flush();
                index = int.TryParse(line.AsSpan(6), out var i) ? i : null;
                kernel = args = "";
            }
            else if (line.StartsWith("kernel=", StringComparison.Ordinal))
            {
                kernel = line[7..].Replace("\"", "", StringComparison.Ordinal);
            }
            else if (line.StartsWith("args=", StringComparison.Ordinal))
            {
                args = line[5..].Trim('"');
            }
        }
        Flush();
        return entries;
    }

    /// <summary>The argv kdumpctl runs for one entry (<c>_update_kernel_cmdline</c>).</summary>
    public static string[] UpdateArgv(int index, string name, string? newValue) => newValue is null
        ? ["grubby", "--update-kernel", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--remove-args", name]
        : ["grubby", "--update-kernel", index.ToString(System.Globalization.CultureInfo.InvariantCulture), "--args", name + "=" + newValue];
}
