using System.Text;
using Kdump.Memory;
using Kdump.Primitives;

namespace Kdump.Kernel.Tests.Synthetic;

internal sealed class FakeDump(FakePhysicalMemory physical, string vmcoreInfo, IReadOnlyList<KernelSegment>? segments = null) : IDump
{
    public string Name => "synthetic";

    public string FormatName => "synthetic";

    public DataLayout Layout => DataLayout.LittleEndian64;

    public ReadOnlyMemory<byte> VmcoreInfo { get; } = Encoding.ASCII.GetBytes(vmcoreInfo);

    public IPhysicalMemory Physical => physical;

    public IReadOnlyList<KernelSegment> KernelSegments { get; } = segments ?? [];

    public void Dispose()
    {
    }
}
