using System.Globalization;
using System.Xml;

namespace Kdump.Config.Cluster;

/// <summary>
/// What kdump takes from a Pacemaker cluster's CIB, as <c>pcs cluster cib</c> prints it (pcs
/// 0.11: the output of <c>cibadmin -l -Q</c>): whether a fence_kdump device is configured
/// (kdump-lib.sh <c>is_pcs_fence_kdump</c>), the cluster's node names (the
/// <c>/cib/status/node_state/@uname</c> that module-setup.sh <c>get_pcs_fence_kdump_nodes</c>
/// reads) and when it was last written (kdumpctl <c>get_pcs_cluster_modified_files</c>).
/// </summary>
/// <param name="HasFenceKdump">An element of the configuration has <c>type="fence_kdump"</c>.</param>
/// <param name="NodeNames">The <c>uname</c> of each <c>node_state</c> of the status, in document order, split into words.</param>
/// <param name="LastWritten">The root's <c>cib-last-written</c>, as written, or null.</param>
public sealed record PacemakerCib(bool HasFenceKdump, IReadOnlyList<string> NodeNames, string? LastWritten)
{
    /// <summary>
    /// The agent type of a fence_kdump device. Upstream's <c>is_pcs_fence_kdump</c> greps the whole
    /// text for <c>type="fence_kdump"</c>; a device removed from the configuration can leave its
    /// operation history in the status, so <see cref="Parse"/> looks in the configuration only.
    /// </summary>
    public const string FenceKdumpType = "fence_kdump";

    /// <summary>Pacemaker's fence_kdump options (<c>FENCE_KDUMP_OPTS</c>, kdump-lib.sh's FENCE_KDUMP_CONFIG_FILE).</summary>
    public const string FenceKdumpConfigPath = "/etc/sysconfig/fence_kdump";

    /// <summary>Largest CIB read: a big cluster's status section is some megabytes.</summary>
    public const int MaxBytes = 32 << 20;

    /// <summary>The command upstream runs (kdumpctl, module-setup.sh); <c>pcs</c> is looked up in PATH.</summary>
    public static IReadOnlyList<string> PcsCommand { get; } = ["pcs", "cluster", "cib"];

    /// <summary>The node names as mkdumprd records them in the image: a comment, then each name once, one a line.</summary>
    public static string FormatNodeRecord(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return "# node_state names of the cluster's CIB when mkdumprd read it (pcs cluster cib)\n"
            + string.Concat(names.Distinct(StringComparer.Ordinal).Select(n => n + "\n"));
    }

    /// <summary>The names of a <see cref="FormatNodeRecord"/> text (comments and blank lines skipped).</summary>
    public static IReadOnlySet<string> ParseNodeRecord(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The CIB from <see cref="PcsCommand"/>'s exit status and output: null when it failed or did not
    /// start (no pcs, no cluster running: upstream's <c>pcs cluster cib | grep</c> finds nothing, so
    /// fence_kdump is not configured through Pacemaker).
    /// </summary>
    /// <exception cref="KdumpConfigException">pcs succeeded but printed no CIB, or more than <see cref="MaxBytes"/>.</exception>
    public static PacemakerCib? FromPcs(int exitCode, string stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        const string source = "pcs cluster cib";
        if (exitCode != 0) return null;
        if (stdout.Length > MaxBytes || System.Text.Encoding.UTF8.GetByteCount(stdout) > MaxBytes) throw KdumpConfigException.At(source, null, $"the CIB is larger than the maximum of {MaxBytes} bytes");
        return Parse(stdout, source);
    }

    /// <summary>Parses the CIB <paramref name="xml"/> that <paramref name="source"/> printed.</summary>
    /// <exception cref="KdumpConfigException">Not XML, no DTDs, or not a <c>cib</c> document.</exception>
    public static PacemakerCib Parse(string xml, string source)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var settings = new XmlReaderSettings
        {
            // A CIB has no DTD; one in hostile input could expand without bound.
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        var fenceKdump = false;
        var nodes = new List<string>();
        string? lastWritten = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "cib")
                throw KdumpConfigException.At(source, null, $"not a Pacemaker CIB: the document's root is {Describe(reader)}, not <cib>");
            lastWritten = reader.GetAttribute("cib-last-written");
            // Depth 1 is configuration or status; the device is anywhere below configuration
            // (a primitive, a template, a group's or clone's member), node_state is directly below status.
            string? section = null;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element) continue;
                if (reader.Depth == 1) section = reader.LocalName;
                else if (section == "configuration" && reader.GetAttribute("type") == FenceKdumpType) fenceKdump = true;
                else if (section == "status" && reader.Depth == 2 && reader.LocalName == "node_state" && reader.GetAttribute("uname") is { } uname)
                    nodes.AddRange(NodeWords(uname, source));
            }
        }
        catch (XmlException e)
        {
            // The message ends with the line and position.
            throw KdumpConfigException.At(source, null, $"not a Pacemaker CIB: {e.Message}");
        }
        return new PacemakerCib(fenceKdump, nodes, lastWritten);
    }

    /// <summary>
    /// A <c>uname</c> as upstream's <c>for node in ${nodelist}</c> sees it: split on blanks and line
    /// ends (a carriage return too, which IFS keeps). Other control characters have no place in a
    /// node name, and these names end up in the image's kdump.conf: refused.
    /// </summary>
    private static string[] NodeWords(string uname, string source)
    {
        var words = uname.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var word in words)
        {
            foreach (var c in word)
            {
                if (char.IsControl(c))
                    throw KdumpConfigException.At(source, null, $"node_state uname \"{new string([.. word.Select(w => char.IsControl(w) ? '?' : w)])}\" holds a control character (U+{(int)c:X4})");
            }
        }
        return words;
    }

    private static string Describe(XmlReader reader) => reader.NodeType == XmlNodeType.Element ? $"<{reader.LocalName}>" : "missing";

    /// <summary>
    /// <c>cib-last-written</c> in seconds since the epoch, as upstream's <c>date +%s --date</c> reads
    /// it: Pacemaker writes ctime(3)'s form in local time (<c>Sun Nov 29 17:47:20 2026</c>, the day
    /// padded with a blank). Null when <paramref name="value"/> is not in that form (where date fails,
    /// upstream skips the comparison; date's other forms, such as <c>yesterday</c>, Pacemaker never
    /// writes). As for date, the weekday is not checked against the date. In the hour a clock change
    /// repeats, standard time is taken (date's choice there varies with the zone).
    /// </summary>
    public static long? LastWrittenSeconds(string? value, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (value is null) return null;
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length != 5 || !CultureInfo.InvariantCulture.DateTimeFormat.AbbreviatedDayNames.Contains(words[0], StringComparer.OrdinalIgnoreCase)) return null;
        if (!DateTime.TryParseExact(string.Join(' ', words[1..]), "MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local)) return null;
        // An hour skipped by a clock change does not exist; date(1) refuses it as well.
        if (zone.IsInvalidTime(local)) return null;
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUnixTimeSeconds();
    }
}
