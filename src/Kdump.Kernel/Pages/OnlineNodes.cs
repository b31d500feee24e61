using Kdump.Kernel.Memory;
using Kdump.Primitives.Units;

namespace Kdump.Kernel.Pages;

/// <summary>The kernel's online NUMA nodes (makedumpfile's get_nodes_online).</summary>
public static class OnlineNodes
{
    /// <summary>
    /// get_nodes_online: the set bits of node_online_map (or node_states[N_ONLINE]), SIZE(nodemask_t)
    /// bytes; empty when VMCOREINFO names no map. A map that cannot be read throws.
    /// </summary>
    public static IReadOnlyList<int> Read(KernelView kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var info = kernel.VmcoreInfo;
        ulong mapAddress = 0;
        var words = 0;
        if (info.TryGetSize("nodemask_t", out var maskSize) && maskSize is > 0 and <= 1 << 16)
        {
            words = (int)(maskSize / 8);
            if (info.TryGetSymbol("node_online_map", out var map) && map.Value != 0) mapAddress = map.Value;
            else if (info.TryGetSymbol("node_states", out var states) && states.Value != 0 && info.TryGetNumber("N_ONLINE", out var online))
                mapAddress = unchecked(states.Value + (maskSize * (ulong)online));
        }
        var nodes = new List<int>();
        if (mapAddress != 0 && words > 0)
        {
            var mask = kernel.Memory.ReadBytes(new VirtAddr(mapAddress), (ulong)words * 8, 1 << 16, "the node online map");
            for (var w = 0; w < words; w++)
            {
                var bits = BitConverter.ToUInt64(mask, w * 8);
                for (var b = 0; b < 64; b++)
                    if ((bits >> b & 1) != 0) nodes.Add((w * 64) + b);
            }
        }
        return nodes;
    }
}
