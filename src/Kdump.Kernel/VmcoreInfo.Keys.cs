namespace Kdump.Kernel;

public sealed partial class VmcoreInfo
{
    /// <summary>Keys without a family prefix (<c>include/linux/vmcore_info.h</c>, arch code).</summary>
    public static class Keys
    {
        public const string OsRelease = "OSRELEASE";
        public const string BuildId = "BUILD-ID";
        public const string PageSize = "PAGESIZE";
        public const string CrashTime = "CRASHTIME";
        public const string KernelOffset = "KERNELOFFSET";
    }
}
