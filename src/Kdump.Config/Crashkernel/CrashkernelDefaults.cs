namespace Kdump.Config.Crashkernel;

/// <summary>
/// The default <c>crashkernel=</c> value per architecture (kdump-lib.sh
/// <c>kdump_get_arch_recommend_crashkernel</c>, kdump-utils 1.0.61): a base range list plus
/// deltas (MiB) added to every size.
/// </summary>
public static class CrashkernelDefaults
{
    /// <summary>One architecture's policy: base string and delta for the given facts.</summary>
    public sealed record ArchPolicy(string Arch, Func<CrashkernelDefaultInputs, string> Base, Func<CrashkernelDefaultInputs, int> DeltaMiB);

    // kdump-utils commit fe18f93 (2025-03-06) raised x86_64 from 1G-4G:192M,4G-64G:256M,64G-:512M:
    // "at least 238M is required" (NFS, erofs).
    private const string X86Base = "2G-64G:256M,64G-:512M";
    private const string Aarch64Base = "2G-4G:256M,4G-64G:320M,64G-:576M";
    private const string Ppc64leKdumpBase = "2G-4G:384M,4G-16G:512M,16G-64G:1G,64G-128G:2G,128G-:4G";
    private const string Ppc64leFadumpBase =
        "4G-16G:768M,16G-64G:1G,64G-128G:2G,128G-1T:4G,1T-2T:6G,2T-4T:12G,4T-8T:20G,8T-16T:36G,16T-32T:64G,32T-64T:128G,64T-:180G";

    private static int SmeSevDelta(CrashkernelDefaultInputs i) => i.SmeOrSevActive ? 64 : 0;

    private static int Aarch64Delta(CrashkernelDefaultInputs i)
    {
        if (i.KernelRelease.Contains("64k", StringComparison.Ordinal))
            return 100 + (i.HasArmSmmu ? 384 : 0) + (i.HasMlx5 ? 200 : 0);
        return i.HasMlx5 ? 150 : 0;
    }

    /// <summary>The table. Architectures not listed get an empty default, like upstream.</summary>
    public static readonly IReadOnlyList<ArchPolicy> Policies =
    [
        new("x86_64", static _ => X86Base, SmeSevDelta),
        new("s390x", static _ => X86Base, SmeSevDelta),
        new("aarch64", static _ => Aarch64Base, Aarch64Delta),
        new("ppc64le", static i => i.Mode == DumpMode.Fadump ? Ppc64leFadumpBase : Ppc64leKdumpBase, static i => 1 * i.NrCpus),
    ];

    /// <summary><c>kdump_get_arch_recommend_crashkernel</c> (what <c>get-default-crashkernel</c> prints).</summary>
    public static string Recommend(CrashkernelDefaultInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var policy = Policies.FirstOrDefault(p => p.Arch == inputs.Arch);
        if (policy is null) return "";
        return CrashkernelArithmetic.Add(policy.Base(inputs), policy.DeltaMiB(inputs).ToString(System.Globalization.CultureInfo.InvariantCulture) + "M");
    }

    /// <summary>
    /// <c>crashkernel=auto</c> is a RHEL 7/8 kernel patch no current kernel parses; in
    /// configuration we accept it and translate it to the architecture default.
    /// </summary>
    public static string TranslateAuto(string value, CrashkernelDefaultInputs inputs) =>
        value == "auto" ? Recommend(inputs) : value;

    /// <summary><c>kdump_get_arch_recommend_size</c>: the default's size for this RAM (GiB as <c>get_system_size</c>), e.g. <c>256M</c>.</summary>
    public static string RecommendSizeForMemory(ulong systemGiB, CrashkernelDefaultInputs inputs) =>
        CrashkernelArithmetic.RecommendSize(systemGiB, Recommend(inputs).Replace("-:", "-102400T:", StringComparison.Ordinal));
}
