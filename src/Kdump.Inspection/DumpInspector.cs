using System.Text;
using Kdump.Formats.Elf;
using Kdump.Kernel;
using Kdump.Kernel.Printk;
using Kdump.Kernel.Printk.Formatting;
using Kdump.Memory;
using Kdump.Primitives.Errors;
using Kdump.Primitives.Units;

namespace Kdump.Inspection;

/// <summary>Builds a <see cref="DumpSummary"/> from an opened dump.</summary>
public static class DumpInspector
{
    public static DumpSummary Summarize(IDump dump, long fileBytes, int dmesgTailLines = 12)
    {
        ArgumentNullException.ThrowIfNull(dump);
        var problems = new List<string>();
        var ranges = new List<MemoryRange>();
        int? cpus = null;
        bool? incomplete = null;
        string? utsRelease = null, machine = null;
        ulong? stored = null;

        switch (dump)
        {
            case ElfDump elf:
                cpus = elf.Core.PrStatusCount;
                machine = ElfConstants.MachineName(elf.Core.Header.Machine);
                foreach (var p in elf.Core.Loads)
                {
                    // /proc/vmcore adds a PT_LOAD for the kernel text mapping on top of the RAM ones.
                    var note = p.VirtualAddress >= 0xffffffff80000000UL ? "kernel text mapping" : "";
                    ranges.Add(new MemoryRange(new PhysAddr(p.PhysicalAddress), p.MemorySize, note));
                }
                break;
            case KdumpCompressedDump kd:
                cpus = kd.Primary.Header.CpuCount;
                incomplete = kd.IsIncomplete;
                utsRelease = kd.Primary.Header.Uts.Release;
                machine = kd.Primary.Header.Uts.Machine;
                ranges.AddRange(RunsOf(kd.Primary.InMemoryBitmap.SetBits(), kd.Primary.PageSize));
                stored = (ulong)kd.Files.Sum(f => f.DumpableBitmap.SetCount);
                break;
        }

        VmcoreInfo? info = null;
        string? architecture = null, printkLayout = null;
        var records = 0;
        string? panic = null;
        var tail = new List<string>();
        try
        {
            var view = KernelView.Open(dump, TranslationStrategy.SegmentsElsePageTables);
            info = view.VmcoreInfo;
            architecture = view.Architecture?.Name;
            var log = PrintkLayouts.Read(info, view.Memory);
            printkLayout = Describe(log);
            var lines = new Queue<string>();
            try
            {
                foreach (var record in log.Records)
                {
                    records++;
                    var line = FormatLine(record);
                    // The first panic line says why the machine died; later ones are the register dump.
                    if (panic is null && IsPanicLine(record.Text.Span)) panic = line;
                    lines.Enqueue(line);
                    while (lines.Count > dmesgTailLines) lines.Dequeue();
                }
            }
            catch (KdumpException e)
            {
                problems.Add($"kernel log: {e.Message}");
            }
            // The legacy log_buf has no records, only raw text.
            tail.AddRange(log.Layout == PrintkLayoutKind.Legacy ? LastLines(log.RawText.Span, dmesgTailLines) : lines);
        }
        catch (KdumpException e)
        {
            problems.Add(e.Message);
        }

        return new DumpSummary
        {
            Path = dump.Name,
            FileBytes = fileBytes,
            Format = dump.FormatName,
            Layout = dump.Layout.ToString(),
            OsRelease = info?.OsRelease,
            CrashTime = info?.CrashTime,
            PageSize = info?.PageSize,
            KernelOffset = info?.KernelOffset,
            CpuCount = cpus,
            Incomplete = incomplete,
            UtsRelease = utsRelease,
            Machine = machine,
            Architecture = architecture,
            Ranges = ranges,
            StoredPages = stored,
            PrintkLayout = printkLayout,
            DmesgRecords = records,
            DmesgTail = tail,
            PanicLine = panic,
            Problems = problems,
        };
    }

    private static string Describe(PrintkLog log) => log.Layout switch
    {
        PrintkLayoutKind.LocklessRing => "lockless printk_ringbuffer (5.10+)",
        PrintkLayoutKind.VariableLength => "printk_log records (3.5-5.9)",
        PrintkLayoutKind.Legacy => "legacy log_buf (< 3.5)",
        _ => log.Layout.ToString(),
    } + (log.HasCallerIds ? ", with caller ids" : "");

    private static bool IsPanicLine(ReadOnlySpan<byte> text) =>
        text.StartsWith("Kernel panic - not syncing"u8) || text.StartsWith("BUG: "u8) || text.StartsWith("Oops: "u8);

    private static string FormatLine(PrintkRecord record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        VmcoreDmesgFormat.AppendRecord(buffer, record);
        var text = Encoding.ASCII.GetString(buffer.WrittenSpan).TrimEnd('\n');
        // A multi-line record shows its first line only in the tail.
        var nl = text.IndexOf('\n', StringComparison.Ordinal);
        return nl < 0 ? text : text[..nl] + " …";
    }

    private static IEnumerable<string> LastLines(ReadOnlySpan<byte> text, int count)
    {
        if (text.IsEmpty) return [];
        var all = Encoding.ASCII.GetString(text).TrimEnd('\n', '\0').Split('\n');
        return all.Skip(Math.Max(0, all.Length - count));
    }

    private static IEnumerable<MemoryRange> RunsOf(IEnumerable<ulong> pfns, int pageSize)
    {
        ulong? start = null, last = null;
        foreach (var pfn in pfns)
        {
            if (start is null) { start = last = pfn; continue; }
            if (pfn == last + 1) { last = pfn; continue; }
            yield return Run(start.Value, last!.Value, pageSize);
            start = last = pfn;
        }
        if (start is not null) yield return Run(start.Value, last!.Value, pageSize);
    }

    private static MemoryRange Run(ulong first, ulong last, int pageSize) =>
        new(new PhysAddr(checked(first * (ulong)pageSize)), checked((last - first + 1) * (ulong)pageSize), "");
}
