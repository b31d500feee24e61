using Kdump.Config.Cluster;
using Kdump.Tests.Shared;

namespace Kdump.Config.Tests;

/// <summary>
/// Reading Pacemaker's CIB as kdump-utils does (kdump-reference §5.7): every CIB here is made by
/// Debian 12's cibadmin and printed by its pcs (eng/lab/pacemaker.sh), and each
/// <c>cib-last-written</c> is read side by side with GNU date, which is what upstream's kdumpctl uses.
/// </summary>
public sealed class PacemakerCibTests
{
    private static string Cib(string purpose, IReadOnlyList<string> nodes, IEnumerable<string>? resources = null,
        IEnumerable<string>? status = null, string? lastWritten = null)
    {
        using var scratch = Lab.Scratch(purpose);
        var path = Path.Combine(scratch.Path, "cib.xml");
        PacemakerLab.MakeCib(path, nodes, resources, status, lastWritten);
        return PacemakerLab.PcsClusterCib(path);
    }

    [Fact]
    public void A_fence_kdump_device_and_the_status_nodes_are_read_from_what_pcs_prints()
    {
        var text = Cib("cib-fence", ["node1.test", "node2.test", "node3.test"], [PacemakerLab.FenceKdumpDevice("kdump", "node1.test node2.test node3.test")],
            lastWritten: "Sun Nov 29 17:47:20 2026");

        var cib = PacemakerCib.FromPcs(0, text);

        Assert.NotNull(cib);
        Assert.True(cib.HasFenceKdump);
        Assert.Equal(["node1.test", "node2.test", "node3.test"], cib.NodeNames);
        Assert.Equal("Sun Nov 29 17:47:20 2026", cib.LastWritten);
    }

    [Fact]
    public void Another_fence_agent_or_a_fence_kdump_only_in_the_operation_history_is_not_fence_kdump()
    {
        // A device deleted from the configuration leaves its history in the node's lrm section until
        // a cleanup: upstream's grep of the whole text would still see it.
        var history = "<node_state id=\"1\"><lrm id=\"1\"><lrm_resources><lrm_resource id=\"old-kdump\" class=\"stonith\" type=\"fence_kdump\"/>"
            + "</lrm_resources></lrm></node_state>";
        var text = Cib("cib-ipmi", ["node1.test", "node2.test"],
            ["<primitive id=\"ipmi\" class=\"stonith\" type=\"fence_ipmilan\"/>"], [history]);
        Assert.Contains("type=\"fence_kdump\"", text, StringComparison.Ordinal);

        var cib = PacemakerCib.FromPcs(0, text)!;

        Assert.False(cib.HasFenceKdump);
        Assert.Equal(["node1.test", "node2.test"], cib.NodeNames);
        Assert.Null(cib.LastWritten);
    }

    [Fact]
    public void A_fence_kdump_device_inside_a_group_counts_and_node_states_without_a_name_are_passed_over()
    {
        var group = "<group id=\"fencing\">" + PacemakerLab.FenceKdumpDevice("kdump", "node1.test") + "</group>";
        // A node the controller has not named yet (a state written before its join).
        var text = Cib("cib-group", ["node1.test"], [group], ["<node_state id=\"9\" in_ccm=\"false\"/>"]);

        var cib = PacemakerCib.FromPcs(0, text)!;

        Assert.True(cib.HasFenceKdump);
        Assert.Equal(["node1.test"], cib.NodeNames);
    }

    [Fact]
    public void A_uname_is_split_on_blanks_and_line_ends_as_upstreams_loop_splits_it_and_other_controls_are_refused()
    {
        // The names go into the image's kdump.conf: a line end must not start a line there.
        // Pacemaker itself writes a line end in an attribute as a backslash and an 'n', a tab as blanks.
        var text = Cib("cib-words", ["node1.test"], [PacemakerLab.FenceKdumpDevice("kdump", "node1.test")],
            ["<node_state id=\"2\" uname=\"node2.test&#10;kdump_pre /bin/sh&#9;x\"/>"]);
        Assert.Contains("uname=\"node2.test\\nkdump_pre /bin/sh", text, StringComparison.Ordinal);
        Assert.Equal(["node1.test", "node2.test\\nkdump_pre", "/bin/sh", "x"], PacemakerCib.FromPcs(0, text)!.NodeNames);
        // XML's own character references, as another writer may use them.
        Assert.Equal(["node2.test", "kdump_pre", "/bin/sh", "x"],
            PacemakerCib.FromPcs(0, "<cib><status><node_state uname=\"node2.test&#10;kdump_pre /bin/sh&#9;x&#13;\"/></status></cib>")!.NodeNames);

        text = Cib("cib-nel", ["node1.test"], [PacemakerLab.FenceKdumpDevice("kdump", "node1.test")], ["<node_state id=\"2\" uname=\"node2&#133;x\"/>"]);
        var e = Assert.Throws<KdumpConfigException>(() => PacemakerCib.FromPcs(0, text));
        Assert.Equal("pcs cluster cib: node_state uname \"node2?x\" holds a control character (U+0085)", e.Message);
    }

    [Theory]
    [InlineData(1, "Error: unable to get cib\n")]     // pcs with no cluster running
    [InlineData(127, "")]                             // no pcs
    public void A_failed_pcs_is_no_cluster(int exitCode, string stdout)
    {
        Assert.Null(PacemakerCib.FromPcs(exitCode, stdout));
    }

    [Theory]
    [InlineData("Error: something else\n", "pcs cluster cib: not a Pacemaker CIB: Data at the root level is invalid. Line 1, position 1.")]
    [InlineData("<configuration/>", "pcs cluster cib: not a Pacemaker CIB: the document's root is <configuration>, not <cib>")]
    [InlineData("", "pcs cluster cib: not a Pacemaker CIB: Root element is missing.")]
    [InlineData("<cib><status>", "pcs cluster cib: not a Pacemaker CIB: Unexpected end of file has occurred. The following elements are not closed: status, cib. Line 1, position 14.")]
    public void Output_that_is_no_cib_is_an_error_naming_the_command(string stdout, string message)
    {
        var e = Assert.Throws<KdumpConfigException>(() => PacemakerCib.FromPcs(0, stdout));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_document_type_declaration_is_refused_before_any_entity_is_expanded()
    {
        var bomb = "<?xml version=\"1.0\"?><!DOCTYPE cib [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
            + "<cib><status><node_state uname=\"&b;\"/></status></cib>";
        var e = Assert.Throws<KdumpConfigException>(() => PacemakerCib.FromPcs(0, bomb));
        Assert.StartsWith("pcs cluster cib: not a Pacemaker CIB: For security reasons DTD is prohibited", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cib_larger_than_the_bound_is_refused_without_parsing()
    {
        var e = Assert.Throws<KdumpConfigException>(() => PacemakerCib.FromPcs(0, new string(' ', PacemakerCib.MaxBytes + 1)));
        Assert.Equal($"pcs cluster cib: the CIB is larger than the maximum of {PacemakerCib.MaxBytes} bytes", e.Message);
    }

    public static TheoryData<string> Zones => ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"];

    [Theory]
    [MemberData(nameof(Zones))]
    public void Cib_last_written_is_read_as_gnu_date_reads_it(string tz)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(tz);
        // Days 1-9 (ctime pads them with a blank), around the 2026 clock changes (not inside the
        // hour that autumn's repeats, which ctime's form cannot tell apart), a leap day.
        long[] instants = [1_767_225_600, 1_772_323_199, 1_774_746_000, 1_774_749_600, 1_792_882_800, 1_792_893_600, 1_709_208_000, 1_796_000_000];
        foreach (var t in instants)
        {
            var written = PacemakerLab.Ctime(t, tz);
            Assert.Equal(t, PacemakerLab.DateSeconds(written, tz));
            Assert.Equal(t, PacemakerCib.LastWrittenSeconds(written, zone));
        }
        // date passes over a weekday that is not the date's.
        Assert.Equal(PacemakerLab.DateSeconds("Mon Nov 29 10:00:00 2026", tz), PacemakerCib.LastWrittenSeconds("Mon Nov 29 10:00:00 2026", zone));
    }

    [Theory]
    [InlineData("not a date")]
    [InlineData("Sun Nov 29 25:00:00 2026")]
    [InlineData("Sun Nov 32 10:00:00 2026")]
    [InlineData("Sun Feb 29 10:00:00 2026")]
    public void A_cib_last_written_that_gnu_date_refuses_gives_no_time(string value)
    {
        Assert.Null(PacemakerLab.DateSeconds(value, "UTC"));
        Assert.Null(PacemakerCib.LastWrittenSeconds(value, TimeZoneInfo.Utc));
    }

    [Fact]
    public void An_hour_skipped_by_the_clock_change_has_no_time_as_for_gnu_date()
    {
        // 2026-03-29 02:30 does not exist in Berlin.
        const string skipped = "Sun Mar 29 02:30:00 2026";
        Assert.Null(PacemakerLab.DateSeconds(skipped, "Europe/Berlin"));
        Assert.Null(PacemakerCib.LastWrittenSeconds(skipped, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
    }
}
