namespace Kdump.Config.Boot;

/// <summary>Inputs of <c>kdumpctl reset-crashkernel</c> planning.</summary>
/// <param name="NewValue">The value to set (<c>kdump_get_arch_recommend_crashkernel</c>); empty removes crashkernel=.</param>
/// <param name="Kernel"><c>--kernel=</c> value: a kernel path, <c>ALL</c>, <c>DEFAULT</c>, or null.</param>
/// <param name="KernelVersion">Without <c>--kernel</c>: KDUMP_KERNELVER or <c>uname -r</c>.</param>
/// <param name="GrubbyInfo"><c>grubby --info &lt;kernel&gt;</c> output when grubby is installed, else null.</param>
/// <param name="SystemGiB"><c>get_system_size</c>, for the reboot hint.</param>
/// <param name="Mode">Dump mode (fadump needs 4 GiB, kdump 2 GiB).</param>
public sealed record ResetCrashkernelRequest(
    string NewValue,
    string? Kernel,
    string KernelVersion,
    string? GrubbyInfo,
    ulong SystemGiB,
    Crashkernel.DumpMode Mode = Crashkernel.DumpMode.Kdump);
