namespace Kdump.Kernel.Arch.X64;

/// <summary>Which of get_phys_base_x86_64's rules gave phys_base.</summary>
public enum PhysBaseSource
{
    /// <summary>Neither: the traditional 0.</summary>
    Default,

    /// <summary><c>NUMBER(phys_base)</c>.</summary>
    VmcoreInfo,

    /// <summary>The first kernel-text PT_LOAD with a physical address.</summary>
    PtLoad,
}
