using Kdump.Compression;
using Kdump.Formats.Elf;
using Kdump.Primitives.Errors;

namespace Kdump.Makedumpfile.Erase;

/// <summary>
/// search_module_debuginfo: the separate debug file of a loaded module, found as libdwfl finds it
/// for makedumpfile — the module's file in <c>/lib/modules/RELEASE</c> (its name with '-' and ','
/// read as '_'; decompressed when it is .ko.xz, .ko.zst or .ko.gz), then its debug file by
/// build-id under <c>/usr/lib/debug/.build-id</c>, or under <c>/usr/lib/debug</c> plus the
/// module's directory by its .gnu_debuglink name, else by "NAME.ko.debug" (Fedora's
/// kernel-debuginfo) or "NAME.ko" (Debian's linux-image-*-dbg). A debug file must carry the
/// module's build-id when the module has one. A module file that carries its
/// own DWARF is not taken (libdwfl reports no separate file for it, so upstream skips the section).
/// </summary>
internal static class ModuleDebugInfo
{
    public const string ModulesRoot = "/lib/modules";
    public const string DebugRoot = "/usr/lib/debug";

    /// <summary>Bound on the module tree walked (Debian's has ~4 000 modules in ~700 directories).</summary>
    private const int MaxEntries = 1 << 20;

    private const int MaxDepth = 32;

    /// <summary>Bound on a module or debug file, read or decompressed.</summary>
    private const long MaxFileBytes = 1L << 30;

    private static readonly string[] s_suffixes = [".ko", ".ko.gz", ".ko.bz2", ".ko.xz", ".ko.zst"];

    /// <summary>
    /// The debug file of <paramref name="module"/>, read, or null after upstream's messages (none when no
    /// module file of that name exists, as libdwfl reports nothing then).
    /// </summary>
    public static (string Path, ElfObject Elf)? Find(string module, string release, Action<string, string> error, string modulesRoot = ModulesRoot, string debugRoot = DebugRoot)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(error);
        var tree = Path.Combine(modulesRoot, release);
        if (release is "" or "." or ".." || release.Contains('/', StringComparison.Ordinal) || !Directory.Exists(tree))
        {
            // dwfl_linux_kernel_report_offline fails on a missing directory.
            error("search_module_debuginfo", $"Can't get Module debuginfo for module '{module}'");
            return null;
        }
        if (ModuleFile(tree, module) is not { } file) return null;
        // Fields of the module file, decompressed first as libdwfl does (.ko.xz on Fedora, RHEL
        // and Debian 13). One it cannot read has none: its debug file is then looked for by name.
        byte[]? buildId = null;
        string? debugLink = null;
        var hasDwarf = false;
        if (ReadElf(file) is { } elf)
        {
            buildId = BuildId(elf);
            debugLink = DebugLink(elf);
            hasDwarf = elf.SectionHeader(".debug_info") is not null;
        }
        foreach (var candidate in Candidates(file, buildId, debugLink, debugRoot))
        {
            if (!File.Exists(candidate) || SameFile(candidate, file) || ReadElf(candidate) is not { } debug) continue;
            // libdwfl's validate: with a build-id in the module, the debug file must carry the same.
            if (buildId is not null && (BuildId(debug) is not { } other || !other.AsSpan().SequenceEqual(buildId))) continue;
            if (debug.SectionHeader(".debug_info") is null) continue;
            return (candidate, debug);
        }
        // libdwfl found no separate file: with DWARF in the module itself it says nothing (and
        // upstream skips the section); without, dwfl_module_getdwarf fails.
        if (!hasDwarf) error("process_module", "dwfl_module_getdwarf error.");
        return null;
    }

    /// <summary>dwfl_linux_kernel_report_offline's walk: the first module file of that name ("source" trees skipped, symlinked directories not followed).</summary>
    private static string? ModuleFile(string tree, string module)
    {
        var pending = new Stack<(string Dir, int Depth)>();
        pending.Push((tree, 0));
        var seen = 0;
        while (pending.TryPop(out var d))
        {
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(d.Dir).Order(StringComparer.Ordinal).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            var subdirs = new List<string>();
            foreach (var entry in entries)
            {
                if (++seen > MaxEntries) return null;
                if (Directory.Exists(entry))
                {
                    if (!IsLink(entry) && Path.GetFileName(entry) != "source" && d.Depth < MaxDepth) subdirs.Add(entry);
                    continue;
                }
                if (ModuleName(Path.GetFileName(entry)) == module) return entry;
            }
            for (var i = subdirs.Count - 1; i >= 0; i--) pending.Push((subdirs[i], d.Depth + 1));
        }
        return null;
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>The module name of a file name: "crc32c-generic.ko.xz" is crc32c_generic; null for other files.</summary>
    public static string? ModuleName(string fileName)
    {
        foreach (var suffix in s_suffixes)
        {
            if (fileName.Length > suffix.Length && fileName.EndsWith(suffix, StringComparison.Ordinal))
                return fileName[..^suffix.Length].Replace('-', '_').Replace(',', '_');
        }
        return null;
    }

    /// <summary>
    /// find_debuginfo_in_path's order for the path "/usr/lib/debug": the build-id link, then under
    /// the debug root each tail of the module's directory (the whole path first) with the
    /// debuglink name, or without one NAME.debug and then NAME itself.
    /// </summary>
    private static IEnumerable<string> Candidates(string file, byte[]? buildId, string? debugLink, string debugRoot)
    {
        if (buildId is { Length: > 1 })
        {
            var hex = Convert.ToHexStringLower(buildId);
            yield return Path.Combine(debugRoot, ".build-id", hex[..2], hex[2..] + ".debug");
        }
        var name = Path.GetFileName(file);
        // A compressed module's debug file is named after the uncompressed one.
        var plain = name.EndsWith(".ko", StringComparison.Ordinal) ? name : name[..(name.LastIndexOf(".ko", StringComparison.Ordinal) + 3)];
        string[] names = debugLink is not null ? [debugLink] : [plain + ".debug", plain];
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!.TrimStart('/');
        while (true)
        {
            // The debug root itself comes last, when the directory's tails have run out.
            foreach (var n in names) yield return Path.Combine(debugRoot, dir, n);
            if (dir.Length == 0) yield break;
            var slash = dir.IndexOf('/', StringComparison.Ordinal);
            dir = slash < 0 ? "" : dir[(slash + 1)..];
        }
    }

    private static ElfObject? ReadElf(string path)
    {
        try
        {
            return ElfObject.Parse(CompressedFile.ReadPlain(path, MaxFileBytes), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KdumpException)
        {
            return null;
        }
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    /// <summary>NT_GNU_BUILD_ID's descriptor from .note.gnu.build-id, or null.</summary>
    private static byte[]? BuildId(ElfObject elf)
    {
        if (elf.Section(".note.gnu.build-id") is not { } notes) return null;
        try
        {
            foreach (var note in ElfNote.ParseAll(notes, elf.Layout, elf.FileName, 0))
            {
                if (note.Name == "GNU" && note.Type == ElfConstants.NtGnuBuildId) return note.Descriptor.ToArray();
            }
        }
        catch (KdumpException)
        {
        }
        return null;
    }

    /// <summary>.gnu_debuglink's file name (up to its NUL), or null.</summary>
    private static string? DebugLink(ElfObject elf)
    {
        if (elf.Section(".gnu_debuglink") is not { } link) return null;
        var span = link.Span;
        var nul = span.IndexOf((byte)0);
        if (nul <= 0) return null;
        var name = System.Text.Encoding.Latin1.GetString(span[..nul]);
        return name.Contains('/', StringComparison.Ordinal) ? null : name;
    }
}
