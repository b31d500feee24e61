using System.Text;
using Kdump.Control.Host;
using Kdump.Control.Testing;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;

namespace Kdump.Control.Tests;

/// <summary>
/// kdumpctl's rebuild decision for fence_kdump configured in Pacemaker (kdump-reference §3.4 step 4,
/// upstream's <c>get_pcs_cluster_modified_files</c>): the CIB's <c>cib-last-written</c> and
/// /etc/sysconfig/fence_kdump against the image's time. Every CIB is made by Debian 12's cibadmin,
/// and kdumpctl's <c>pcs cluster cib</c> is answered by Debian 12's pcs reading it
/// (eng/lab/pacemaker.sh).
/// </summary>
public sealed class KdumpctlPacemakerTests
{
    private const string Rebuilt = "kdump: Rebuilding /boot/initramfs-6.1.0-testkdump.img\nkdump: kexec: loaded kdump kernel\n"
        + "kdump: Starting kdump: [OK]\nkdump: Notice: No vmcore creation test performed!\n";
    private const string NotRebuilt = "kdump: kexec: loaded kdump kernel\nkdump: Starting kdump: [OK]\nkdump: Notice: No vmcore creation test performed!\n";
    private const string Mkdumprd = "/sbin/mkdumprd --root $ROOT -f /boot/initramfs-6.1.0-testkdump.img 6.1.0-test";
    private const string Pcs = "$ROOT/usr/sbin/pcs cluster cib";

    /// <summary>A tree with pcs installed whose <c>pcs cluster cib</c> is the real pcs on a CIB file of the scratch directory.</summary>
    private sealed class Cluster : IDisposable
    {
        private readonly ScratchDir _scratch = Lab.Scratch("kdumpctl-pcs");

        /// <summary>
        /// A two-node cluster (node1 is this machine) whose image mkdumprd built with the cluster
        /// up: its kdump.conf names node2, unless <paramref name="imageConf"/> says otherwise.
        /// </summary>
        public Cluster(bool fenceKdump, long lastWritten, string tz = "UTC", string imageConf = "path /var/crash\nfence_kdump_nodes node2\n", string? imageNodes = "# node_state names\nnode1\nnode2\n")
        {
            Zone = TimeZoneInfo.FindSystemTimeZoneById(tz);
            Tree.WriteKdumpImage(imageConf, imageNodes);
            Tree.Write("/usr/sbin/pcs", "#!/bin/sh\n# stands for pcs: kdumpctl looks it up in PATH, the runner answers it\n", RootTree.Old);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Tree.Host("/usr/sbin/pcs"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var resources = fenceKdump ? new[] { PacemakerLab.FenceKdumpDevice("kdump", "node1 node2") } : ["<primitive id=\"ipmi\" class=\"stonith\" type=\"fence_ipmilan\"/>"];
            PacemakerLab.MakeCib(CibFile, ["node1", "node2"], resources, lastWritten: PacemakerLab.Ctime(lastWritten, tz));
            Runner = new RecordingProcessRunner().On(PcsArgv, _ => new ProcessResult(0, PacemakerLab.PcsClusterCib(CibFile)));
        }

        /// <summary>kdumpctl runs the pcs it found in the root's PATH, by its path.</summary>
        public string[] PcsArgv => [Tree.Host("/usr/sbin/pcs"), "cluster", "cib"];

        public TimeZoneInfo Zone { get; }

        public RootTree Tree { get; } = new();

        public string CibFile => Path.Combine(_scratch.Path, "cib.xml");

        public RecordingProcessRunner Runner { get; set; }

        public KdumpctlRun Start() => KdumpctlRun.Invoke(Tree, new RecordingSystemCalls(), Runner, "", Zone, "start");

        public void Dispose()
        {
            Tree.Dispose();
            _scratch.Dispose();
        }
    }

    [Fact]
    public void A_cib_written_after_the_image_rebuilds_it_as_cluster_cib()
    {
        using var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 60);
        var run = cluster.Start();
        Assert.Equal("kdump: Detected change(s) in the following file(s):  cluster-cib\n" + Rebuilt, run.Stderr);
        Assert.Equal([Pcs, Mkdumprd], run.Runs);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void A_cib_written_before_the_image_leaves_it_and_pacemakers_file_counts_by_its_own_time()
    {
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New - 60))
        {
            var run = cluster.Start();
            Assert.Equal(NotRebuilt, run.Stderr);
            Assert.Equal([Pcs], run.Runs);
        }
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New - 60))
        {
            cluster.Tree.Write("/etc/sysconfig/fence_kdump", "FENCE_KDUMP_OPTS=\"-p 7410\"\n", RootTree.New + 5);
            var run = cluster.Start();
            Assert.Equal("kdump: Detected change(s) in the following file(s):  /etc/sysconfig/fence_kdump\n" + Rebuilt, run.Stderr);
        }
        // Both, then kdump.conf: the cluster's part comes first, as upstream lists it.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 60))
        {
            cluster.Tree.Write("/etc/sysconfig/fence_kdump", "FENCE_KDUMP_OPTS=\"-p 7410\"\n", RootTree.New + 5);
            cluster.Tree.Write("/etc/kdump.conf", "path /var/crash\n", RootTree.New + 10);
            var run = cluster.Start();
            Assert.Equal("kdump: Detected change(s) in the following file(s):  cluster-cib /etc/sysconfig/fence_kdump /etc/kdump.conf\n" + Rebuilt, run.Stderr);
        }
    }

    [Fact]
    public void Without_a_fence_kdump_device_the_cib_and_pacemakers_file_are_not_watched()
    {
        using var cluster = new Cluster(fenceKdump: false, lastWritten: RootTree.New + 60);
        cluster.Tree.Write("/etc/sysconfig/fence_kdump", "FENCE_KDUMP_OPTS=\"-p 7410\"\n", RootTree.New + 5);
        var run = cluster.Start();
        Assert.Equal(NotRebuilt, run.Stderr);
        Assert.Equal([Pcs], run.Runs);
    }

    [Fact]
    public void Kdump_confs_own_nodes_no_pcs_or_force_no_rebuild_leave_the_cluster_unasked()
    {
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 60))
        {
            cluster.Tree.Write("/etc/kdump.conf", "path /var/crash\nfence_kdump_nodes node2\n", RootTree.Old);
            var run = cluster.Start();
            Assert.Equal(NotRebuilt, run.Stderr);
            Assert.Empty(run.Runs);
        }
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 60))
        {
            cluster.Tree.Delete("/usr/sbin/pcs");
            Assert.Empty(cluster.Start().Runs);
        }
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 60))
        {
            cluster.Tree.Write("/etc/kdump.conf", "path /var/crash\nforce_no_rebuild 1\n", RootTree.Old);
            Assert.Empty(cluster.Start().Runs);
        }
    }

    [Fact]
    public void A_pcs_without_a_cluster_is_no_change_and_output_that_is_no_cib_a_warning()
    {
        using var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 60);
        cluster.Runner = new RecordingProcessRunner().On(cluster.PcsArgv, new ProcessResult(1, "", "Error: unable to get cib\n"));
        var run = cluster.Start();
        Assert.Equal(NotRebuilt, run.Stderr);
        Assert.Equal([Pcs], run.Runs);

        cluster.Runner = new RecordingProcessRunner().On(cluster.PcsArgv, new ProcessResult(0, "Warning: something\n"));
        run = cluster.Start();
        Assert.Equal("kdump: pcs cluster cib: not a Pacemaker CIB: Data at the root level is invalid. Line 1, position 1. (a rebuild of the image will stop on it)\n"
            + NotRebuilt, run.Stderr);
    }

    [Fact]
    public void Cib_last_written_is_a_local_time_of_the_machines_zone()
    {
        // Written 30 minutes after the image in New York (UTC-5 in November): its clock read as UTC
        // would put it hours before the image.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 1800, tz: "America/New_York"))
        {
            Assert.Equal("kdump: Detected change(s) in the following file(s):  cluster-cib\n" + Rebuilt, cluster.Start().Stderr);
        }
        // Written 30 minutes before it in Berlin (UTC+1): read as UTC it would be after the image.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New - 1800, tz: "Europe/Berlin"))
        {
            Assert.Equal(NotRebuilt, cluster.Start().Stderr);
        }
        // A value no date reads: said, and no rebuild, as upstream's date complains and the test fails.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New + 60))
        {
            var real = PacemakerLab.PcsClusterCib(cluster.CibFile);
            var odd = System.Text.RegularExpressions.Regex.Replace(real, "cib-last-written=\"[^\"]*\"", "cib-last-written=\"soon\"");
            cluster.Runner = new RecordingProcessRunner().On(cluster.PcsArgv, new ProcessResult(0, odd));
            Assert.Equal("kdump: pcs cluster cib: cib-last-written \"soon\" is not a date\n" + NotRebuilt, cluster.Start().Stderr);
        }
    }

    /// <summary>
    /// Beyond upstream: an image built while the cluster did not answer (kdump may start at boot
    /// before Pacemaker), or while its status named only this machine, has no fence nodes, and the
    /// CIB written before it would leave it so: the cluster's other node would power-fence this one
    /// in the middle of every dump. Such an image (our mkdumprd's record lacking a name the CIB has
    /// now; without the record, no nodes in its kdump.conf) is rebuilt as cluster-cib; one whose
    /// record has every name, or upstream's naming nodes, is left alone.
    /// </summary>
    [Fact]
    public void An_image_built_without_the_whole_cluster_is_rebuilt_though_the_cib_is_older()
    {
        // No record, no nodes: built while pcs failed.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New - 3600, imageConf: "path /var/crash\n", imageNodes: null))
        {
            var run = cluster.Start();
            Assert.Equal("kdump: Detected change(s) in the following file(s):  cluster-cib\n" + Rebuilt, run.Stderr);
            Assert.Equal([Pcs, Mkdumprd], run.Runs);
        }
        // Built while the status named this machine only: node2 has come since.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New - 3600, imageConf: "path /var/crash\n", imageNodes: "# node_state names\nnode1\n"))
        {
            Assert.Equal("kdump: Detected change(s) in the following file(s):  cluster-cib\n" + Rebuilt, cluster.Start().Stderr);
        }
        // Every name recorded, though none became a fence node (both are this machine's names): left alone.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New - 3600, imageConf: "path /var/crash\n"))
        {
            Assert.Equal(NotRebuilt, cluster.Start().Stderr);
        }
        // Built by upstream's mkdumprd with the cluster up: the nodes in its kdump.conf, no record of ours.
        using (var cluster = new Cluster(fenceKdump: true, lastWritten: RootTree.New - 3600, imageNodes: null))
        {
            Assert.Equal(NotRebuilt, cluster.Start().Stderr);
        }
        // No fence_kdump device: the nodes are not wanted.
        using (var cluster = new Cluster(fenceKdump: false, lastWritten: RootTree.New - 3600, imageConf: "path /var/crash\n", imageNodes: null))
        {
            Assert.Equal(NotRebuilt, cluster.Start().Stderr);
        }
    }
}
