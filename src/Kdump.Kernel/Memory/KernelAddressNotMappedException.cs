using Kdump.Primitives.Errors;

namespace Kdump.Kernel.Memory;

/// <summary>A kernel virtual address that no mapping of the chosen strategy covers.</summary>
public sealed class KernelAddressNotMappedException(string message, ulong address, Exception? inner = null) : KdumpException(message, inner)
{
    public ulong Address { get; } = address;
}
