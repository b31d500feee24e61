namespace Kdump.Kernel.Memory;

public enum TranslationStatus
{
    /// <summary>The address maps to physical memory.</summary>
    Ok,

    /// <summary>No mapping covers the address (no segment, or a page-table entry not present).</summary>
    NotMapped,

    /// <summary>A page-table page needed for the walk is not in the dump.</summary>
    TableNotStored,
}
