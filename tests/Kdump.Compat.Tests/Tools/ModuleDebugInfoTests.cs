using Kdump.Makedumpfile.Erase;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// Where a module section's debug file is found: trees made in a scratch directory from the lab
/// kernel's real qemu_fw_cfg.ko (stripped, with a build-id) and the debug files of its -dbg package.
/// </summary>
public class ModuleDebugInfoTests
{
    private const string Release = "bookworm";

    private sealed class Tree : IDisposable
    {
        private readonly ScratchDir _scratch = Lab.Scratch("module-debuginfo");

        public Tree()
        {
            (Kernel, Kver) = Lab.Modules(Release);
            ModulesRoot = Path.Combine(_scratch.Path, "modules");
            DebugRoot = Path.Combine(_scratch.Path, "debug");
            Directory.CreateDirectory(Path.Combine(ModulesRoot, Kver));
            Directory.CreateDirectory(DebugRoot);
        }

        public string Kernel { get; }

        public string Kver { get; }

        public string ModulesRoot { get; }

        public string DebugRoot { get; }

        public List<string> Errors { get; } = [];

        /// <summary>Copies <paramref name="from"/> to <paramref name="relative"/> under <paramref name="root"/>.</summary>
        public static string Put(string root, string relative, string from)
        {
            var to = Path.Combine(root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
            return to;
        }

        public string ModuleFile(string relative) => Path.Combine(Kernel, "kernel", relative);

        public static string DebugFile(string relative) => Path.Combine(Lab.ModuleDebug(Release), "kernel", relative);

        public string? Find(string module) => ModuleDebugInfo.Find(module, Kver, (f, m) => Errors.Add($"{f}: {m}"), ModulesRoot, DebugRoot)?.Path;

        public void Dispose() => _scratch.Dispose();
    }

    private const string FwCfg = "drivers/firmware/qemu_fw_cfg.ko";

    [Fact]
    public void The_debug_file_is_found_under_the_module_directorys_path_in_the_debug_root()
    {
        using var t = new Tree();
        Tree.Put(t.ModulesRoot, Path.Combine(t.Kver, "kernel", FwCfg), t.ModuleFile(FwCfg));
        // The whole path of the module's directory below the debug root is tried first, then its tails.
        var debug = Tree.Put(t.DebugRoot, Path.Combine(t.Kver, "kernel", FwCfg), Tree.DebugFile(FwCfg));
        Assert.Equal(debug, t.Find("qemu_fw_cfg"));
        Assert.Empty(t.Errors);
    }

    [Fact]
    public void A_build_id_link_is_taken_first_and_a_debug_file_of_another_build_is_refused()
    {
        using var t = new Tree();
        Tree.Put(t.ModulesRoot, Path.Combine(t.Kver, "kernel", FwCfg), t.ModuleFile(FwCfg));
        var id = BuildId(t.ModuleFile(FwCfg));
        Tree.Put(t.DebugRoot, Path.Combine(t.Kver, "kernel", FwCfg), Tree.DebugFile(FwCfg));
        var link = Tree.Put(t.DebugRoot, Path.Combine(".build-id", id[..2], id[2..] + ".debug"), Tree.DebugFile(FwCfg));
        Assert.Equal(link, t.Find("qemu_fw_cfg"));

        using var other = new Tree();
        Tree.Put(other.ModulesRoot, Path.Combine(other.Kver, "kernel", FwCfg), other.ModuleFile(FwCfg));
        // virtio_blk's debug file under qemu_fw_cfg's name: its build-id differs.
        Tree.Put(other.DebugRoot, Path.Combine(other.Kver, "kernel", FwCfg), Tree.DebugFile("drivers/block/virtio_blk.ko"));
        Assert.Null(other.Find("qemu_fw_cfg"));
        Assert.Equal(["process_module: dwfl_module_getdwarf error."], other.Errors);
    }

    /// <summary>
    /// A compressed module (Fedora's and Debian 13's .ko.xz; kbuild also makes .ko.zst and .ko.gz) is
    /// read as libdwfl reads it: decompressed, so its build-id finds the link and refuses another build.
    /// </summary>
    [Theory]
    [InlineData("xz", ".ko.xz", new[] { "--check=crc32", "--lzma2=dict=1MiB" })]
    [InlineData("zstd", ".ko.zst", new[] { "-q", "-T0" })]
    [InlineData("gzip", ".ko.gz", new[] { "-n", "-9" })]
    public void A_compressed_module_is_read_for_its_build_id(string program, string suffix, string[] options)
    {
        using var t = new Tree();
        var compressedFwCfg = Path.Combine(t.Kver, "kernel", Path.ChangeExtension(FwCfg, null) + suffix);
        Compress(program, options, t.ModuleFile(FwCfg), Path.Combine(t.ModulesRoot, compressedFwCfg));
        var id = BuildId(t.ModuleFile(FwCfg));
        var link = Tree.Put(t.DebugRoot, Path.Combine(".build-id", id[..2], id[2..] + ".debug"), Tree.DebugFile(FwCfg));
        Assert.Equal(link, t.Find("qemu_fw_cfg"));

        using var other = new Tree();
        Compress(program, options, other.ModuleFile(FwCfg), Path.Combine(other.ModulesRoot, compressedFwCfg));
        // Looked up by the uncompressed name (our deliberate difference), but of another build: refused.
        Tree.Put(other.DebugRoot, Path.Combine(other.Kver, "kernel", FwCfg), Tree.DebugFile("drivers/block/virtio_blk.ko"));
        Assert.Null(other.Find("qemu_fw_cfg"));
        Assert.Equal(["process_module: dwfl_module_getdwarf error."], other.Errors);
    }

    private static void Compress(string program, string[] options, string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        var r = ExternalProcess.Run(program, [.. options, "-c", from]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        File.WriteAllBytes(to, r.Stdout);
    }

    [Fact]
    public void The_debug_root_itself_is_tried_last_and_a_debug_file_without_the_build_id_is_refused()
    {
        using var t = new Tree();
        Tree.Put(t.ModulesRoot, Path.Combine(t.Kver, "kernel", FwCfg), t.ModuleFile(FwCfg));
        var plain = Tree.Put(t.DebugRoot, "qemu_fw_cfg.ko", Tree.DebugFile(FwCfg));
        Assert.Equal(plain, t.Find("qemu_fw_cfg"));

        using var stripped = new Tree();
        Tree.Put(stripped.ModulesRoot, Path.Combine(stripped.Kver, "kernel", FwCfg), stripped.ModuleFile(FwCfg));
        var noId = Path.Combine(stripped.DebugRoot, "qemu_fw_cfg.ko");
        var objcopy = ExternalProcess.Run("objcopy", ["--remove-section", ".note.gnu.build-id", Tree.DebugFile(FwCfg), noId]);
        Assert.True(objcopy.ExitCode == 0, objcopy.Stderr);
        Assert.Null(stripped.Find("qemu_fw_cfg"));
        Assert.Equal(["process_module: dwfl_module_getdwarf error."], stripped.Errors);
    }

    [Fact]
    public void A_module_with_its_own_dwarf_or_no_file_gives_no_debug_file_and_no_message()
    {
        using var t = new Tree();
        // The debug file installed as the module itself: libdwfl reports no separate file.
        Tree.Put(t.ModulesRoot, Path.Combine(t.Kver, "kernel", FwCfg), Tree.DebugFile(FwCfg));
        Assert.Null(t.Find("qemu_fw_cfg"));
        Assert.Null(t.Find("virtio_blk"));
        Assert.Empty(t.Errors);
    }

    [Fact]
    public void A_missing_release_directory_is_reported()
    {
        using var t = new Tree();
        Assert.Null(ModuleDebugInfo.Find("ext4", "0.0.0-none", (f, m) => t.Errors.Add($"{f}: {m}"), t.ModulesRoot, t.DebugRoot));
        Assert.Equal(["search_module_debuginfo: Can't get Module debuginfo for module 'ext4'"], t.Errors);
    }

    [Theory]
    [InlineData("crc32c-generic.ko", "crc32c_generic")]
    [InlineData("ext4.ko.xz", "ext4")]
    [InlineData("a,b.ko.zst", "a_b")]
    [InlineData("vmlinux", null)]
    [InlineData(".ko", null)]
    public void Module_names_read_dashes_and_commas_as_underscores(string file, string? module) =>
        Assert.Equal(module, ModuleDebugInfo.ModuleName(file));

    private static string BuildId(string elf)
    {
        var r = ExternalProcess.Run("readelf", ["-n", elf]);
        var line = r.Stdout is { } o ? System.Text.Encoding.ASCII.GetString(o).Split('\n').First(l => l.Contains("Build ID:", StringComparison.Ordinal)) : "";
        return line.Split(':')[1].Trim();
    }
}
