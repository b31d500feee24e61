namespace Kdump.Config.Crashkernel;

/// <summary>Dump mode: kdump (kexec) or ppc64le firmware-assisted dump.</summary>
public enum DumpMode
{
    Kdump,
    Fadump,
}

/// <summary>
/// Facts <c>kdump_get_arch_recommend_crashkernel</c> asks the system for (kdump-lib.sh:1013).
/// </summary>
/// <param name="Arch"><c>uname -m</c>.</param>
/// <param name="Mode">Dump mode.</param>
/// <param name="KernelRelease">aarch64 only: a release containing <c>64k</c> selects the 64k-page deltas.</param>
/// <param name="SmeOrSevActive">x86_64/s390x: <c>journalctl --dmesg</c> shows "Memory Encryption Features active: AMD (SME|SEV)".</param>
/// <param name="HasArmSmmu">aarch64: <c>/sys/devices/platform/arm-smmu-*</c> exists.</param>
/// <param name="HasMlx5">aarch64: <c>/sys/bus/pci/drivers/mlx5_core</c> exists.</param>
/// <param name="NrCpus">ppc64le: <see cref="CrashkernelArithmetic.FindNrCpus"/> of the (FA)DUMP append line.</param>
public sealed record CrashkernelDefaultInputs(
    string Arch,
    DumpMode Mode = DumpMode.Kdump,
    string KernelRelease = "",
    bool SmeOrSevActive = false,
    bool HasArmSmmu = false,
    bool HasMlx5 = false,
    int NrCpus = 1);
