using System.Text;

namespace Kdump.Tests.Shared;

/// <summary>
/// Pacemaker CIBs made by Debian 12's own cibadmin, and read back by its pcs, both unpacked by
/// eng/lab/pacemaker.sh. Both work on a CIB file named by CIB_file instead of a live cluster.
/// </summary>
internal static class PacemakerLab
{
    /// <summary>
    /// Writes a CIB to <paramref name="path"/>: cibadmin's empty CIB, each node in the configuration
    /// and, as the controller records a member, in the status, then each XML fragment of
    /// <paramref name="resources"/> (created) and <paramref name="status"/> (merged into the
    /// status, created when new), then
    /// <c>cib-last-written</c> (which only the CIB daemon sets on a live cluster) when given.
    /// </summary>
    public static void MakeCib(string path, IReadOnlyList<string> nodes, IEnumerable<string>? resources = null,
        IEnumerable<string>? status = null, string? lastWritten = null)
    {
        var empty = Cibadmin(null, "--empty");
        File.WriteAllText(path, empty);
        for (var i = 0; i < nodes.Count; i++)
        {
            Cibadmin(path, "-C", "-o", "nodes", "-X", $"<node id=\"{i + 1}\" uname=\"{nodes[i]}\"/>");
            Cibadmin(path, "-C", "-o", "status", "-X",
                $"<node_state id=\"{i + 1}\" uname=\"{nodes[i]}\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"/>");
        }
        foreach (var r in resources ?? []) Cibadmin(path, "-C", "-o", "resources", "-X", r);
        foreach (var s in status ?? []) Cibadmin(path, "-M", "-c", "-o", "status", "-X", s);
        if (lastWritten is not null) Cibadmin(path, "-M", "-X", $"<cib cib-last-written=\"{lastWritten}\"/>");
    }

    /// <summary>The fence_kdump device as <c>pcs stonith create kdump fence_kdump pcmk_host_list=…</c> makes it.</summary>
    public static string FenceKdumpDevice(string id, string hostList) =>
        $"<primitive id=\"{id}\" class=\"stonith\" type=\"fence_kdump\"><instance_attributes id=\"{id}-instance_attributes\">"
        + $"<nvpair id=\"{id}-instance_attributes-pcmk_host_list\" name=\"pcmk_host_list\" value=\"{hostList}\"/></instance_attributes>"
        + $"<operations><op name=\"monitor\" interval=\"60s\" id=\"{id}-monitor-interval-60s\"/></operations></primitive>";

    /// <summary>What <c>pcs cluster cib</c> prints for the CIB file <paramref name="path"/>.</summary>
    public static string PcsClusterCib(string path)
    {
        var r = ExternalProcess.Run(Lab.ReferenceTool("pcs-ref"), ["cluster", "cib"], TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["CIB_file"] = path });
        Assert.True(r.ExitCode == 0, $"pcs-ref cluster cib exited {r.ExitCode}: {r.Stderr}");
        return Encoding.UTF8.GetString(r.Stdout);
    }

    /// <summary>
    /// ctime(3)'s form of <paramref name="epochSeconds"/> in the zone <paramref name="tz"/>, the form
    /// Pacemaker writes as <c>cib-last-written</c>, as GNU date prints it in the C locale.
    /// </summary>
    public static string Ctime(long epochSeconds, string tz = "UTC")
    {
        var r = ExternalProcess.Run("/usr/bin/date", ["-d", $"@{epochSeconds}", "+%a %b %e %H:%M:%S %Y"], TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["LC_ALL"] = "C", ["TZ"] = tz });
        Assert.True(r.ExitCode == 0, $"date exited {r.ExitCode}: {r.Stderr}");
        return Encoding.UTF8.GetString(r.Stdout).TrimEnd('\n');
    }

    /// <summary>Upstream's reading of a <c>cib-last-written</c> value: <c>date +%s --date VALUE</c> in <paramref name="tz"/>; null when date refuses it.</summary>
    public static long? DateSeconds(string value, string tz)
    {
        var r = ExternalProcess.Run("/usr/bin/date", ["+%s", "--date", value], TimeSpan.FromMinutes(1),
            new Dictionary<string, string> { ["LC_ALL"] = "C", ["TZ"] = tz });
        return r.ExitCode == 0 ? long.Parse(Encoding.UTF8.GetString(r.Stdout).Trim(), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    private static string Cibadmin(string? cibFile, params string[] args)
    {
        var r = ExternalProcess.Run(Lab.ReferenceTool("cibadmin-ref"), args, TimeSpan.FromMinutes(1),
            cibFile is null ? null : new Dictionary<string, string> { ["CIB_file"] = cibFile });
        Assert.True(r.ExitCode == 0, $"cibadmin-ref {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
        return Encoding.UTF8.GetString(r.Stdout);
    }
}
