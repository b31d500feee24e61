namespace Kdump.Config.Crashkernel;

/// <summary>Return of the kernel's <c>parse_crashkernel</c>.</summary>
public enum CrashkernelStatus
{
    /// <summary>0: a reservation was parsed.</summary>
    Ok,
    /// <summary>-ENOENT: no usable <c>crashkernel=</c> on the command line.</summary>
    NotFound,
    /// <summary>-EINVAL: malformed, zero, or not smaller than system RAM.</summary>
    Invalid,
}
