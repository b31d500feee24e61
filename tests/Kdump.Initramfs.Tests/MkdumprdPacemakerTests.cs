using System.Text;
using Kdump.Cli;
using Kdump.Initramfs.Dracut;
using Kdump.Tests.Shared;
using Kdump.Tools.Mkdumprd;

namespace Kdump.Initramfs.Tests;

/// <summary>
/// mkdumprd asking the cluster through pcs (upstream's <c>is_pcs_fence_kdump</c> and
/// <c>get_pcs_fence_kdump_nodes</c>): the cluster runner runs Debian 12's pcs on a CIB file made
/// by its cibadmin (eng/lab/pacemaker.sh), so the whole path from pcs's output to the image is real.
/// </summary>
public sealed class MkdumprdPacemakerTests
{
    /// <summary>Runs <c>pcs</c> as Debian's pcs reading <paramref name="cibFile"/>; records each argv; nothing else may run.</summary>
    private sealed class PcsOnCibFile(string cibFile) : ICommandRunner
    {
        public List<string> Commands { get; } = [];

        public int Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, TextWriter output) =>
            throw new InvalidOperationException("only pcs is run by these tests");

        public (int ExitCode, string Stdout) Capture(IReadOnlyList<string> argv, int maxStdoutBytes = 64 << 10)
        {
            Assert.Equal("pcs", argv[0]);
            Commands.Add(string.Join(' ', argv));
            var r = ExternalProcess.Run(Lab.ReferenceTool("pcs-ref"), argv.Skip(1), TimeSpan.FromMinutes(1),
                new Dictionary<string, string> { ["CIB_file"] = cibFile });
            return (r.ExitCode, Encoding.UTF8.GetString(r.Stdout));
        }
    }

    private static (int Rc, string Stderr, string? Conf) Build(TestRoot root, PcsOnCibFile pcs, string conf)
    {
        var (modules, kver) = Lab.Modules("bookworm");
        if (!Directory.Exists(root.Host("/lib/modules/" + kver))) root.LinkOutside("/lib/modules/" + kver, modules);
        root.Write("/etc/kdump.conf", conf);
        root.Write("/etc/sysconfig/kdump", "MKDUMPRD_BACKEND=minimal\n");
        root.CaptureProgram();
        var image = Path.Combine(root.Scratch, "initrd-kdump.img");
        using var stderr = new MemoryStream();
        int rc;
        using (var ctx = new StreamToolContext("mkdumprd", Stream.Null, Stream.Null, stderr, root.Scratch))
        {
            rc = MkdumprdCommand.Run(ctx, ["--root", root.Dir, "--compress=none", "-f", image, kver],
                new MkdumprdCommand.Environment(root.Scratch) { ClusterCommandsUnderRoot = pcs });
        }
        string? imageConf = null;
        if (rc == 0)
        {
            // A directory per build: cpio does not replace a file as new as the archive's.
            var scratch = Directory.CreateDirectory(Path.Combine(root.Scratch, "build-" + Guid.NewGuid().ToString("N"))).FullName;
            var dir = CpioTool.Extract(image, scratch);
            imageConf = File.ReadAllText(Path.Combine(dir, "etc/kdump.conf"));
        }
        return (rc, Encoding.UTF8.GetString(stderr.ToArray()), imageConf);
    }

    private const string LocalTarget = "ext4 UUID=0b9c6d1e-1111-2222-3333-444455556666\npath /var/crash\n";

    [Fact]
    public void The_nodes_pcs_prints_go_through_the_fence_node_checks()
    {
        using var root = new TestRoot("mkdumprd-pcs-real");
        var cib = Path.Combine(root.Scratch, "cib.xml");
        // This machine under two names, and a node (a documentation address) the root has no route to.
        PacemakerLab.MakeCib(cib, ["localhost", "127.0.0.1", "192.0.2.7"], [PacemakerLab.FenceKdumpDevice("kdump", "localhost 192.0.2.7")]);
        var pcs = new PcsOnCibFile(cib);

        var (rc, stderr, _) = Build(root, pcs, LocalTarget);

        Assert.Equal((1, "kdump: Bad kdump network destination: 192.0.2.7 (fence_kdump nodes from the cluster's CIB, pcs cluster cib)\n"), (rc, stderr));
        Assert.Equal(["pcs cluster cib"], pcs.Commands);
    }

    [Fact]
    public void A_cluster_of_this_machine_alone_is_a_warning_and_kdump_confs_nodes_keep_pcs_unasked()
    {
        using var root = new TestRoot("mkdumprd-pcs-self");
        var cib = Path.Combine(root.Scratch, "cib.xml");
        PacemakerLab.MakeCib(cib, ["localhost", "127.0.0.1"], [PacemakerLab.FenceKdumpDevice("kdump", "localhost")]);
        var pcs = new PcsOnCibFile(cib);

        var (rc, stderr, conf) = Build(root, pcs, LocalTarget);
        Assert.Equal((0, "kdump: the cluster's CIB names no node but this one: the capture kernel has no fence_kdump node to notify\n"), (rc, stderr));
        Assert.Equal(LocalTarget, conf);

        pcs.Commands.Clear();
        (rc, stderr, conf) = Build(root, pcs, LocalTarget + "fence_kdump_nodes 127.0.0.1\n");
        Assert.Equal((0, ""), (rc, stderr));
        Assert.Equal(LocalTarget + "fence_kdump_nodes 127.0.0.1\n", conf);
        Assert.Empty(pcs.Commands);
    }

    [Fact]
    public void Pcs_failing_for_want_of_a_cluster_is_no_fence_kdump()
    {
        using var root = new TestRoot("mkdumprd-pcs-none");
        // No CIB file: pcs fails as it does where no cluster runs.
        var pcs = new PcsOnCibFile(Path.Combine(root.Scratch, "no-such-cib.xml"));
        root.Write("/etc/sysconfig/fence_kdump", "FENCE_KDUMP_OPTS=\"-p 7410\"\n");

        var (rc, stderr, conf) = Build(root, pcs, LocalTarget);

        Assert.Equal(0, rc);
        Assert.Equal("kdump: pcs cluster cib exited with 1: a fence_kdump device the cluster may configure is not in this image (rebuild it when the cluster runs)\n"
            + "kdump: /etc/sysconfig/fence_kdump (Pacemaker's fence_kdump) exists, but neither fence_kdump_nodes in kdump.conf nor a fence_kdump device"
            + " in the cluster's CIB (pcs cluster cib) names the nodes to notify: the cluster may fence this node while it dumps\n", stderr);
        Assert.Equal(LocalTarget, conf);
        Assert.Equal(["pcs cluster cib"], pcs.Commands);
    }
}
