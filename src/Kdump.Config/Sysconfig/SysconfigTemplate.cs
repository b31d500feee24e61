namespace Kdump.Config.Sysconfig;

/// <summary>
/// The shipped <c>/etc/sysconfig/kdump</c> per architecture (<c>gen-kdump-sysconfig.sh</c>):
/// value = <c>_common</c> + " " + the arch's entry (or <c>default</c> when the arch has none).
/// </summary>
public static class SysconfigTemplate
{
    private static readonly string[] s_knownArches = ["aarch64", "i386", "ppc64", "ppc64le", "s390x", "x86_64"];

    private const string RemoveCommon = "hugepages hugepagesz slub_debug quiet log_buf_len swiotlb hugetlb_cma ignition.firstboot";
    private const string AppendCommon = "novmcoredd hugetlb_cma=0 kfence.sample_interval=0 initramfs_options=size=90%";

    private static readonly Dictionary<string, string> s_kexecArgs = new(StringComparer.Ordinal)
    {
        ["default"] = "", ["aarch64"] = "-s", ["ppc64"] = "--dt-no-old-root", ["ppc64le"] = "-s", ["s390x"] = "-s", ["x86_64"] = "-s",
    };

    private static readonly Dictionary<string, string> s_remove = new(StringComparer.Ordinal)
    {
        ["default"] = "cma", ["ppc64"] = "", ["ppc64le"] = "", ["s390x"] = "vmcp_cma cma prot_virt zfcp.allow_lun_scan",
    };

    private static readonly Dictionary<string, string> s_append = new(StringComparer.Ordinal)
    {
        ["default"] = "irqpoll maxcpus=1 reset_devices cma=0",
        ["aarch64"] = "irqpoll nr_cpus=1 reset_devices cgroup_disable=memory udev.children-max=2 panic=10 swiotlb=noforce cma=0",
        ["i386"] = "irqpoll nr_cpus=1 reset_devices numa=off udev.children-max=2 panic=10 transparent_hugepage=never cma=0",
        ["ppc64"] = "irqpoll maxcpus=1 noirqdistrib reset_devices cgroup_disable=memory numa=off udev.children-max=2 ehea.use_mcs=0 panic=10 kvm_cma_resv_ratio=0 transparent_hugepage=never",
        ["ppc64le"] = "irqpoll nr_cpus=16 noirqdistrib reset_devices cgroup_disable=memory numa=off udev.children-max=2 ehea.use_mcs=0 panic=10 kvm_cma_resv_ratio=0 transparent_hugepage=never",
        ["s390x"] = "nr_cpus=1 cgroup_disable=memory numa=off udev.children-max=2 panic=10 transparent_hugepage=never vmcp_cma=0 cma=0",
        ["x86_64"] = "irqpoll nr_cpus=1 reset_devices cgroup_disable=memory mce=off numa=off udev.children-max=2 panic=10 acpi_no_memhotplug transparent_hugepage=never nokaslr hest_disable cma=0 pcie_ports=compat",
    };

    private static readonly Dictionary<string, string> s_fadumpAppend = new(StringComparer.Ordinal)
    {
        ["default"] = "",
        ["ppc64le"] = "nr_cpus=16 numa=off cgroup_disable=memory cma=0 kvm_cma_resv_ratio=0 hugetlb_cma=0 transparent_hugepage=never novmcoredd udev.children-max=2",
    };

    /// <summary>Whether gen-kdump-sysconfig.sh knows the arch (else it warns and uses <c>default</c>).</summary>
    public static bool IsKnownArch(string arch) => s_knownArches.Contains(arch, StringComparer.Ordinal);

    /// <summary>The template's values for <paramref name="arch"/>.</summary>
    public static SysconfigKdump For(string arch)
    {
        var a = IsKnownArch(arch) ? arch : "default";
        return new SysconfigKdump
        {
            KdumpCommandlineRemove = Join(RemoveCommon, Pick(s_remove, a)),
            KdumpCommandlineAppend = Join(AppendCommon, Pick(s_append, a)),
            FadumpCommandlineAppend = Pick(s_fadumpAppend, a),
            KexecArgs = Pick(s_kexecArgs, a),
            KdumpImg = "vmlinuz",
            VmcoreCreationNotification = "yes",
        };
    }

    // ${_values[$arch]-${_values[default]}}: an arch entry set to "" stays "".
    private static string Pick(Dictionary<string, string> table, string arch) =>
        table.TryGetValue(arch, out var v) ? v : table["default"];

    private static string Join(string common, string arch) =>
        common.Length > 0 && arch.Length > 0 ? common + " " + arch : common + arch;
}
