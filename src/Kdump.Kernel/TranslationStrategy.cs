namespace Kdump.Kernel;

/// <summary>How kernel virtual addresses are turned into physical ones.</summary>
public enum TranslationStrategy
{
    /// <summary>The dump's own virtual ranges only (kexec-tools vmcore-dmesg).</summary>
    Segments,

    /// <summary>The kernel's page tables, rooted from VMCOREINFO (makedumpfile).</summary>
    PageTables,

    /// <summary>
    /// Segments when the dump has any, else page tables: our vmcore-dmesg, which thereby also reads
    /// QEMU paging=false ELFs and kdump-compressed files (which carry no virtual ranges).
    /// </summary>
    SegmentsElsePageTables,
}
