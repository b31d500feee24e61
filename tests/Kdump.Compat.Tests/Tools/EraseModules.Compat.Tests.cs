using System.Text;
using Kdump.Memory;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// makedumpfile --config with "[module]" sections, our NativeAOT build against 1.7.8 on the lab
/// vmcores. Both look for module files in /lib/modules/KVER and debug files in /usr/lib/debug, so
/// both run in a private mount namespace where an overlay on /usr/lib (/lib is a link to it) adds
/// the lab kernel's files of the loaded modules and their debug files from its -dbg package
/// (eng/lab/fetch-module-debug.sh): the host's directories do not change.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class EraseModulesCompatTests
{
    /// <summary>
    /// Module sections with symbols from the modules' tables in the dump, a 'nullify', a loop over
    /// a module's list_head list with its struct from the module's DWARF, a symbol no table has
    /// (skipped with a message); a section of a module that is not loaded (passed over silently), of a
    /// loaded module without a debug file (virtio_pci on 6.1: "Skipping to next Module section";
    /// built in on 6.12), a name with '-' (the kernel's name has '_': not loaded), and a [vmlinux]
    /// section between module sections.
    /// </summary>
    private const string Config = """
        # module sections
        [qemu_fw_cfg]
        erase fw_cfg_rev size 4
        erase fw_cfg_dev_base nullify
        for e in fw_cfg_entry_cache within fw_cfg_sysfs_entry:list
        	erase e.name
        endfor
        [nosuchmod]
        erase whatever
        [virtio_pci]
        erase some_symbol
        erase other
        [ext4]
        erase ext4_fs_type.name
        erase no_such_symbol
        erase ext4_li_info
        [virtio_blk]
        erase major
        erase virtblk_queue_depth
        [vmlinux]
        erase saved_command_line
        [jbd2]
        erase jbd2_journal_head_cache nullify
        [crc32c-generic]
        erase x

        """;

    private static readonly string[] s_loaded = ["drivers/firmware/qemu_fw_cfg", "drivers/block/virtio_blk", "fs/ext4/ext4", "fs/jbd2/jbd2", "drivers/virtio/virtio_pci"];

    private static string Ours
    {
        get
        {
            var path = Path.Combine(Lab.RepoRoot, "artifacts", "aot", "makedumpfile", "makedumpfile");
            return File.Exists(path) ? path : throw new FileNotFoundException($"NativeAOT build of makedumpfile missing at {path}: run eng/aot/publish.sh", path);
        }
    }

    /// <summary>
    /// The overlay's upper directory: modules/KVER with the loaded modules' files (decompressed when
    /// <paramref name="decompress"/>, as 1.7.8's libdw here finds no debug file for a .ko.xz) and
    /// debug/lib/modules/KVER with their debug files.
    /// </summary>
    private static string Overlay(string release, string scratch, bool decompress)
    {
        var (modules, kver) = Lab.Modules(release);
        var upper = Path.Combine(scratch, "overlay", "upper");
        Directory.CreateDirectory(Path.Combine(scratch, "overlay", "work"));
        foreach (var m in s_loaded)
        {
            foreach (var suffix in new[] { ".ko", ".ko.xz" })
            {
                var from = Path.Combine(modules, "kernel", m + suffix);
                if (!File.Exists(from)) continue;
                var to = Path.Combine(upper, "modules", kver, "kernel", m + suffix);
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                if (suffix == ".ko.xz" && decompress)
                {
                    var xz = ExternalProcess.Run("sh", ["-c", "xz -dc \"$0\" > \"$1\"", from, to[..^3]]);
                    Assert.True(xz.ExitCode == 0, xz.Stderr);
                }
                else
                {
                    File.Copy(from, to);
                }
            }
        }
        CopyTree(Lab.ModuleDebug(release), Path.Combine(upper, "debug", "lib", "modules", kver));
        return Path.Combine(scratch, "overlay");
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A run of <paramref name="tool"/> with the overlay on /usr/lib, in a mount namespace of its own.</summary>
    private static ExternalProcess.Result InNamespace(string overlay, string tool, IEnumerable<string> args) =>
        ExternalProcess.Run("unshare", ["-m", "--propagation", "private", "sh", "-c",
            "mount -t overlay overlay -o \"lowerdir=/usr/lib,upperdir=$0/upper,workdir=$0/work\" /usr/lib && exec \"$@\"", overlay, tool, .. args]);

    private static string Messages(string stderr) =>
        string.Join('\n', stderr.Replace('\r', '\n').Split('\n').Where(l => !l.Contains("%]", StringComparison.Ordinal)));

    private static string EraseInfo(string file)
    {
        using var dump = KdumpCompressedDump.Open([Kdump.Primitives.IO.FileByteSource.Open(file)]);
        return Encoding.Latin1.GetString(dump.Primary.EraseInfo.Span);
    }

    /// <summary>Both tools on a release's vmcore with <paramref name="configText"/>, each in its namespace; the outputs are in <paramref name="scratch"/>.</summary>
    private static (ExternalProcess.Result Reference, ExternalProcess.Result Ours, string RefOut, string OursOut) RunBoth(
        ScratchDir scratch, string release, string configText, bool decompress)
    {
        var overlay = Overlay(release, scratch.Path, decompress);
        var config = Path.Combine(scratch.Path, "modules.conf");
        File.WriteAllText(config, configText);
        string[] Args(string output) => ["-l", "-d", "31", "-x", Lab.Vmlinux(release), "--config", config, Lab.Fixture(release, "proc-vmcore.elf"), output];
        var refOut = Path.Combine(scratch.Path, "ref");
        var oursOut = Path.Combine(scratch.Path, "ours");
        var reference = InNamespace(overlay, Lab.ReferenceTool("makedumpfile-1.7.8"), Args(refOut));
        var ours = InNamespace(overlay, Ours, Args(oursOut));
        Assert.True(reference.ExitCode == 0, reference.Stderr);
        Assert.True(ours.ExitCode == 0, ours.Stderr);
        return (reference, ours, refOut, oursOut);
    }

    /// <summary>
    /// 5.10 and 6.1 (struct module's core_layout), 6.12 and 7.2 (its mem[] array, upstream
    /// f23bb94): the same file, the same messages as 1.7.8, and the modules' data is erased (their
    /// eraseinfo lines).
    /// </summary>
    [Theory]
    [InlineData("bullseye")]
    [InlineData("bookworm")]
    [InlineData("trixie")]
    [InlineData("sid")]
    public void Module_sections_erase_what_1_7_8_erases(string release)
    {
        using var scratch = Lab.Scratch("erase-modules");
        var (reference, ours, refOut, oursOut) = RunBoth(scratch, release, Config, decompress: true);
        Assert.Equal(Messages(reference.Stderr), Messages(ours.Stderr));
        var erased = EraseInfo(oursOut);
        // On sid even plain -x files differ: 1.7.8 cannot read 7.1's page.compound_info (upstream
        // f50c015), so there the erase list is compared.
        if (release == "sid") Assert.Equal(EraseInfo(refOut), erased);
        else Assert.Equal(File.ReadAllBytes(refOut), File.ReadAllBytes(oursOut));
        Assert.Contains("erase fw_cfg_rev size 4\n", erased, StringComparison.Ordinal);
        Assert.Contains("erase e.name size ", erased, StringComparison.Ordinal);
        Assert.Contains("erase major size 4\n", erased, StringComparison.Ordinal);
        Assert.Contains("erase jbd2_journal_head_cache nullify\n", erased, StringComparison.Ordinal);
        Assert.Contains("Can't find symbol 'no_such_symbol'", ours.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Debian 13's modules are .ko.xz and its -dbg package's debug files plain .ko: 1.7.8 (sid's
    /// build, run here) finds no debug file for them and skips every such section; ours looks the
    /// debug file up by the module's uncompressed name and erases (docs/compat/makedumpfile.md).
    /// </summary>
    [Fact]
    public void Compressed_modules_find_their_debug_files_where_1_7_8_gives_up()
    {
        using var scratch = Lab.Scratch("erase-modules-xz");
        var (reference, ours, _, oursOut) = RunBoth(scratch, "trixie", "[qemu_fw_cfg]\nerase fw_cfg_rev size 4\n", decompress: false);
        Assert.Contains("process_config_file: Skipping to next Module section", reference.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Skipping", ours.Stderr, StringComparison.Ordinal);
        Assert.Equal("erase fw_cfg_rev size 4\n", EraseInfo(oursOut));
    }
}
