using Kdump.Primitives.Units;

namespace Kdump.Kernel.Memory;

/// <summary>Kernel virtual → physical translation, one strategy per implementation.</summary>
public interface IVirtualTranslator
{
    /// <summary>Short name for messages: "program headers", "x86_64 page tables".</summary>
    string Name { get; }

    Translation Translate(VirtAddr address);
}
