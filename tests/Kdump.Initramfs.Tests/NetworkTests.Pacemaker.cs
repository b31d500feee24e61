using Kdump.Config;
using Kdump.Config.Cluster;
using Kdump.Config.Network;
using Kdump.Initramfs.Image;
using Kdump.Initramfs.Network;
using Kdump.Tests.Shared;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// fence_kdump configured in Pacemaker rather than kdump.conf (kdump-reference §5.7, upstream's
/// <c>kdump_configure_fence_kdump</c> with <c>is_pcs_fence_kdump</c>): the CIB's nodes, less this
/// one, and /etc/sysconfig/fence_kdump's FENCE_KDUMP_OPTS become the image's fence_kdump lines.
/// Each CIB is made by Debian 12's cibadmin and printed by its pcs (eng/lab/pacemaker.sh).
/// </summary>
public sealed partial class NetworkTests
{
    private static PacemakerCib PcsCib(IReadOnlyList<string> nodes, bool fenceKdump)
    {
        using var scratch = Lab.Scratch("mkdumprd-cib");
        var path = Path.Combine(scratch.Path, "cib.xml");
        PacemakerLab.MakeCib(path, nodes, fenceKdump
            ? [PacemakerLab.FenceKdumpDevice("kdump", string.Join(' ', nodes))]
            : ["<primitive id=\"ipmi\" class=\"stonith\" type=\"fence_ipmilan\"/>"]);
        return PacemakerCib.FromPcs(0, PacemakerLab.PcsClusterCib(path))!;
    }

    private static readonly Lazy<PacemakerCib> s_fenceCluster = new(() => PcsCib(["self.test", "node2.test", "node3.test"], fenceKdump: true));

    [Fact]
    public void A_fence_kdump_device_in_the_cib_makes_the_clusters_other_nodes_the_images_fence_kdump_nodes()
    {
        using var root = new TestRoot("mkdumprd-pcs");
        root.Write(CaptureImageBuilder.PacemakerFenceKdumpPath, "# fence_kdump's options for the cluster\nFENCE_KDUMP_OPTS=\"-p 7410 -f auto -i 5\"\n");
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => s_fenceCluster.Value);

        var conf = Text(image, "/etc/kdump.conf");
        Assert.EndsWith("fence_kdump_nodes node2.test node3.test\nfence_kdump_args -p 7410 -f auto -i 5\n", conf, StringComparison.Ordinal);
        Assert.StartsWith("# kdump-capture network, written by mkdumprd\nremote 10.0.2.50\ninterface eth0 ", Text(image, CaptureNetworkConfig.ImagePath), StringComparison.Ordinal);
        Assert.Equal("10.0.2.50\tnode2.test\n172.16.4.3\tnode3.test\n", Text(image, CaptureNetworkImage.HostsPath));
        var sender = image.Plan.Get(CaptureImage.FenceKdumpSendPath);
        Assert.Equal((ImageEntryKind.Symlink, CaptureImage.InitPath), (sender?.Kind, sender?.LinkTarget));
        Assert.Empty(image.Warnings);
        // kdumpctl's sign that the image was built with the cluster up.
        Assert.Equal("# node_state names of the cluster's CIB when mkdumprd read it (pcs cluster cib)\nself.test\nnode2.test\nnode3.test\n", Text(image, CaptureImage.PacemakerNodesPath));

        // What the capture program reads from it is what kdump.conf's own lines would give.
        var read = Kdump.Config.Conf.KdumpConfReader.Parse(conf, "/etc/kdump.conf");
        Assert.Equal("node2.test node3.test", read.GetValue("fence_kdump_nodes"));
        Assert.Equal("-p 7410 -f auto -i 5", read.GetValue("fence_kdump_args"));
    }

    [Fact]
    public void Without_fence_kdump_opts_only_the_nodes_are_written_and_the_nodes_are_checked_like_kdump_confs()
    {
        using (var root = new TestRoot("mkdumprd-pcs-noopts"))
        {
            var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => s_fenceCluster.Value);
            Assert.EndsWith("fence_kdump_nodes node2.test node3.test\n", Text(image, "/etc/kdump.conf"), StringComparison.Ordinal);
        }
        using (var root = new TestRoot("mkdumprd-pcs-far"))
        {
            var far = PcsCib(["self.test", "node4.test"], fenceKdump: true);
            var routes = Header
                + RouteLine("eth0", "10.0.2.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true)
                + RouteLine("eth1", "192.168.1.0", "0.0.0.0", 0x1, 0, "255.255.255.0", true);
            var e = Assert.Throws<InitramfsBuildException>(() => BuildNfs(root, [Addr(2, "10.0.2.15/24"), Addr(3, "192.168.1.15/24")],
                "nfs 10.0.2.100:/export\n", routes, Cluster, pacemaker: () => far));
            Assert.Equal("eth1 (toward node4.test) is a software interface (team, …): not supported by the minimal backend"
                + " (fence_kdump nodes from the cluster's CIB, pcs cluster cib)", e.Message);
        }
    }

    [Fact]
    public void Kdump_confs_fence_kdump_nodes_come_first_and_the_cluster_is_not_asked()
    {
        using var root = new TestRoot("mkdumprd-pcs-generic");
        root.Write(CaptureImageBuilder.PacemakerFenceKdumpPath, "FENCE_KDUMP_OPTS=\"-p 7410\"\n");
        var asked = 0;
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget + "fence_kdump_nodes node3.test\n", resolve: Cluster,
            pacemaker: () => { asked++; return s_fenceCluster.Value; });

        Assert.Equal(0, asked);
        var conf = Text(image, "/etc/kdump.conf");
        Assert.Contains("fence_kdump_nodes node3.test\n", conf, StringComparison.Ordinal);
        Assert.DoesNotContain("node2.test", conf, StringComparison.Ordinal);
        Assert.DoesNotContain("fence_kdump_args", conf, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_without_a_fence_kdump_device_adds_nothing_and_pacemakers_file_alone_is_a_warning()
    {
        var ipmi = PcsCib(["self.test", "node2.test"], fenceKdump: false);
        using (var root = new TestRoot("mkdumprd-pcs-ipmi"))
        {
            var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => ipmi);
            Assert.DoesNotContain("fence_kdump", Text(image, "/etc/kdump.conf"), StringComparison.Ordinal);
            Assert.Null(image.Plan.Get(CaptureNetworkConfig.ImagePath));
            Assert.Null(image.Plan.Get(CaptureImage.FenceKdumpSendPath));
            Assert.Null(image.Plan.Get(CaptureImage.PacemakerNodesPath));
            Assert.Empty(image.Warnings);
        }
        // No pcs at all (null), or a cluster without the device: the file names no node.
        foreach (var cib in new[] { null, ipmi })
        {
            using var root = new TestRoot("mkdumprd-pcs-file");
            root.Write(CaptureImageBuilder.PacemakerFenceKdumpPath, "FENCE_KDUMP_OPTS=\"-p 7410\"\n");
            var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => cib);
            Assert.Equal(["/etc/sysconfig/fence_kdump (Pacemaker's fence_kdump) exists, but neither fence_kdump_nodes in kdump.conf nor a fence_kdump device"
                + " in the cluster's CIB (pcs cluster cib) names the nodes to notify: the cluster may fence this node while it dumps"], image.Warnings);
        }
    }

    [Fact]
    public void A_cluster_of_this_node_alone_has_nothing_to_notify()
    {
        using var root = new TestRoot("mkdumprd-pcs-alone");
        var alone = PcsCib(["self.test"], fenceKdump: true);
        var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => alone);

        Assert.DoesNotContain("fence_kdump", Text(image, "/etc/kdump.conf"), StringComparison.Ordinal);
        Assert.Null(image.Plan.Get(CaptureNetworkConfig.ImagePath));
        Assert.Null(image.Plan.Get(CaptureImage.FenceKdumpSendPath));
        Assert.Equal(["the cluster's CIB names no node but this one: the capture kernel has no fence_kdump node to notify"], image.Warnings);
        Assert.Equal("# node_state names of the cluster's CIB when mkdumprd read it (pcs cluster cib)\nself.test\n", Text(image, CaptureImage.PacemakerNodesPath));

        // No node_state at all (a CIB read before the controller wrote the status), Pacemaker's file beside it: one warning that says so.
        using var empty = new TestRoot("mkdumprd-pcs-nostatus");
        empty.Write(CaptureImageBuilder.PacemakerFenceKdumpPath, "FENCE_KDUMP_OPTS=\"-p 7410\"\n");
        var none = new PacemakerCib(true, [], null);
        image = BuildNfs(empty, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => none);
        Assert.Equal(["the cluster's CIB has a fence_kdump device but no node_state in its status: the capture kernel has no fence_kdump node to notify"], image.Warnings);
    }

    [Fact]
    public void Fence_kdump_opts_needing_a_shell_or_an_unreadable_cib_stop_the_build_with_the_source()
    {
        using (var root = new TestRoot("mkdumprd-pcs-eval"))
        {
            // Upstream sources the file; nothing here evaluates it.
            root.Write(CaptureImageBuilder.PacemakerFenceKdumpPath, "FENCE_KDUMP_OPTS=\"-p $(cat /etc/port)\"\n");
            var e = Assert.Throws<InitramfsBuildException>(() =>
                BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => s_fenceCluster.Value));
            Assert.StartsWith("/etc/sysconfig/fence_kdump:1: ", e.Message, StringComparison.Ordinal);
        }
        using (var root = new TestRoot("mkdumprd-pcs-lines"))
        {
            root.Write(CaptureImageBuilder.PacemakerFenceKdumpPath, "FENCE_KDUMP_OPTS=\"-p 7410\nkdump_pre /bin/sh\"\n");
            var e = Assert.Throws<InitramfsBuildException>(() =>
                BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => s_fenceCluster.Value));
            Assert.Equal("/etc/sysconfig/fence_kdump: FENCE_KDUMP_OPTS holds a control character (U+000A): it must fit on one kdump.conf line", e.Message);
        }
        using (var root = new TestRoot("mkdumprd-pcs-tab"))
        {
            // A tab is a blank on the line: kept, as upstream keeps it.
            root.Write(CaptureImageBuilder.PacemakerFenceKdumpPath, "FENCE_KDUMP_OPTS=\"-p 7410\t-i 5\"\n");
            var image = BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => s_fenceCluster.Value);
            Assert.EndsWith("fence_kdump_args -p 7410\t-i 5\n", Text(image, "/etc/kdump.conf"), StringComparison.Ordinal);
        }
        using (var root = new TestRoot("mkdumprd-pcs-bad"))
        {
            var e = Assert.Throws<InitramfsBuildException>(() =>
                BuildNfs(root, [Addr(2, "10.0.2.15/24")], LocalTarget, resolve: Cluster, pacemaker: () => PacemakerCib.FromPcs(0, "Warning: CIB is old\n")));
            Assert.Equal("pcs cluster cib: not a Pacemaker CIB: Data at the root level is invalid. Line 1, position 1.", e.Message);
            Assert.IsType<KdumpConfigException>(e.InnerException);
        }
    }
}
