using Kdump.Kernel.Arch.X64;

namespace Kdump.Kernel.Arch;

/// <summary>The architectures we can translate for, probed in order.</summary>
public static class KernelArchitectures
{
    public static IReadOnlyList<IKernelArchitecture> All { get; } = [X64Architecture.Instance];

    public static IKernelArchitecture? Detect(VmcoreInfo info) => All.FirstOrDefault(a => a.Probe(info));
}
