namespace Kdump.Inspection;

/// <summary>Everything <c>kdump-lab show</c> prints about one dump, as data (tests assert on it).</summary>
public sealed record DumpSummary
{
    public required string Path { get; init; }
    public required long FileBytes { get; init; }
    public required string Format { get; init; }
    public required string Layout { get; init; }
    public string? OsRelease { get; init; }
    public long? CrashTime { get; init; }
    public long? PageSize { get; init; }
    public ulong? KernelOffset { get; init; }
    public int? CpuCount { get; init; }
    public bool? Incomplete { get; init; }
    public string? UtsRelease { get; init; }
    public required IReadOnlyList<MemoryRange> Ranges { get; init; }
    public ulong? StoredPages { get; init; }
    public string? Machine { get; init; }
    public string? Architecture { get; init; }
    public string? PrintkLayout { get; init; }
    public int DmesgRecords { get; init; }
    public required IReadOnlyList<string> DmesgTail { get; init; }
    public string? PanicLine { get; init; }

    /// <summary>Problems met while summarising; the summary shows what could be read.</summary>
    public required IReadOnlyList<string> Problems { get; init; }
}
