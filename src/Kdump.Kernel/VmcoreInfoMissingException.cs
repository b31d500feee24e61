using Kdump.Primitives.Errors;

namespace Kdump.Kernel;

/// <summary>A VMCOREINFO entry a walker needs is absent (an old, stripped or foreign kernel).</summary>
public sealed class VmcoreInfoMissingException(string key, string purpose)
    : KdumpException($"VMCOREINFO has no {key} entry, needed for {purpose}")
{
    /// <summary>The full key, e.g. <c>SYMBOL(log_buf)</c> or <c>OFFSET(printk_log.len)</c>.</summary>
    public string Key { get; } = key;
}
