using Kdump.Formats.Diskdump;
using Kdump.Primitives;
using Kdump.Primitives.Errors;
using Kdump.Primitives.IO;

namespace Kdump.Memory;

/// <summary>
/// A kdump-compressed dump: one file, or the files of a makedumpfile --split set opened together
/// (each stores the pages of its own [start_pfn, end_pfn) range).
/// </summary>
public sealed class KdumpCompressedDump : IDump
{
    private KdumpCompressedDump(IReadOnlyList<DiskDumpFile> files, string formatName)
    {
        Files = files;
        FormatName = formatName;
        Physical = new KdumpPhysicalMemory(files);
    }

    /// <summary>Opens one file, or a split set in any order; takes ownership of the sources.</summary>
    public static KdumpCompressedDump Open(IReadOnlyList<IByteSource> sources, ParseLimits? limits = null, string formatName = "kdump-compressed")
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfZero(sources.Count);
        var files = new List<DiskDumpFile>();
        try
        {
            foreach (var s in sources) files.Add(DiskDumpFile.Open(s, limits));
            CheckSet(files);
            files.Sort((a, b) => a.StartPfn.CompareTo(b.StartPfn));
            return new KdumpCompressedDump(files, formatName);
        }
        catch
        {
            foreach (var s in sources) s.Dispose();
            throw;
        }
    }

    /// <summary>Opens the files of a split set (or one file) by path.</summary>
    public static KdumpCompressedDump Open(IReadOnlyList<string> paths, ParseLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var sources = new List<IByteSource>();
        try
        {
            foreach (var p in paths) sources.Add(FileByteSource.Open(p));
        }
        catch
        {
            foreach (var s in sources) s.Dispose();
            throw;
        }
        return Open(sources, limits);
    }

    private static void CheckSet(List<DiskDumpFile> files)
    {
        if (files.Count == 1) return;
        var first = files[0];
        foreach (var f in files)
        {
            if (!f.IsSplit)
                DumpErrors.ThrowCorrupt(f.Name, "split", f.SubHeader.Split.ToString(), f.PageSize, "several files were given but this one is not part of a --split set");
            if (f.PageSize != first.PageSize || f.MaxMapNr != first.MaxMapNr || f.Layout != first.Layout)
                DumpErrors.ThrowCorrupt(f.Name, "block_size/max_mapnr", $"{f.PageSize}/0x{f.MaxMapNr:x}", null, $"differ from '{first.Name}' ({first.PageSize}/0x{first.MaxMapNr:x}): not one split set");
        }
        var sorted = files.OrderBy(f => f.StartPfn).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].StartPfn < sorted[i - 1].EndPfn)
                DumpErrors.ThrowCorrupt(sorted[i].Name, "start_pfn", $"0x{sorted[i].StartPfn:x}", null, $"overlaps the range of '{sorted[i - 1].Name}' ending at 0x{sorted[i - 1].EndPfn:x}");
        }
    }

    public IReadOnlyList<DiskDumpFile> Files { get; }

    public DiskDumpFile Primary => Files[0];

    public bool IsIncomplete => Files.Any(f => f.IsIncomplete);

    public string Name => Primary.Name;

    public string FormatName { get; }

    public DataLayout Layout => Primary.Layout;

    public ReadOnlyMemory<byte> VmcoreInfo => VmcoreInfoOverride ?? Primary.VmcoreInfo;

    /// <summary><see cref="DumpOpenOptions.ReplaceVmcoreInfo"/>'s text; <see cref="DiskDumpFile.VmcoreInfo"/> of <see cref="Primary"/> keeps the note.</summary>
    internal ReadOnlyMemory<byte>? VmcoreInfoOverride { get; set; }

    public IPhysicalMemory Physical { get; }

    /// <summary>kdump-compressed files map no virtual ranges; translation needs VMCOREINFO and page tables.</summary>
    public IReadOnlyList<KernelSegment> KernelSegments => [];

    /// <summary>Pfns stored in the set, increasing.</summary>
    public IEnumerable<ulong> StoredPfns() => Files.SelectMany(f => f.StoredPfns());

    public void Dispose()
    {
        foreach (var f in Files) f.Dispose();
    }
}
