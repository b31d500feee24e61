namespace Kdump.Config.Crashkernel;

/// <summary>Inputs of <c>kdumpctl estimate</c> (kdumpctl:1536), gathered by the caller.</summary>
/// <param name="Baseline"><c>kdump_get_arch_recommend_size</c>, e.g. <c>256M</c> (units M, G or T).</param>
/// <param name="ReservedBytes"><c>/sys/kernel/kexec_crash_size</c>.</param>
/// <param name="KernelImageBytes">Σ PT_LOAD MemSiz of the kernel image (or the /proc/iomem fallback).</param>
/// <param name="InitrdBytes">Size of the kdump initramfs.</param>
/// <param name="InitrdModules">Lines of the initramfs' <c>hostonly-kernel-modules.txt</c>.</param>
/// <param name="ProcModules">Text of <c>/proc/modules</c>.</param>
/// <param name="LuksKeyslotMemoryKiB">Per LUKS2 device under the target, its largest keyslot "Memory:" (KiB).</param>
/// <param name="Arch"><c>uname -m</c> (aarch64 has a larger cryptsetup overhead).</param>
public sealed record EstimateInputs(
    string Baseline,
    ulong ReservedBytes,
    ulong KernelImageBytes,
    ulong InitrdBytes,
    IReadOnlyList<string> InitrdModules,
    string ProcModules,
    IReadOnlyList<ulong> LuksKeyslotMemoryKiB,
    string Arch = "x86_64");
