namespace Kdump.Config.Messages;

/// <summary>
/// kdumpctl's message texts (kdump-utils 1.0.61), in one place. Citations are to
/// rhkdump/kdump-utils at 63f248c94a4a.
/// </summary>
public static class KdumpctlText
{
    public const string ConfigFile = "/etc/kdump.conf";
    public const string DefaultPath = "/var/crash/";
    public const string DefaultSshKey = "/root/.ssh/kdump_id_rsa";

    // kdumpctl _set_config / parse_config (l.317-406).
    public static string InvalidValue(string option) => $"Invalid kdump config value for option '{option}'";
    public const string MoreThanOneTarget = "More than one dump targets specified";
    public static string Duplicated(string option) => $"Duplicated kdump config value of option {option}";
    public const string MultipleMountTargets = "Multiple mount targets specified in one \"dracut_args\".";
    public const string OpalRawWarning = "Won't capture opalcore when 'raw' dump target is used.";
    public static string SshKeyMissing(string value) => $"'{value}' doesn't exist, using default value '{DefaultSshKey}'";
    public const string DefaultRenamed = "Option 'default' was renamed 'failure_action' and will be removed in the future.";
    public static string DefaultRenamedHint(string configFile) => $"Please update {configFile} to use option 'failure_action' instead.";
    public static string Deprecated(string option) => $"Deprecated kdump config option: {option}. Refer to kdump.conf manpage for alternatives.";
    public static string InvalidOption(string option) => $"Invalid kdump config option {option}";

    // check_failure_action_config / check_final_action_config (l.1067-1091), logged with dinfo.
    public const string FailureActionUsage = "Usage kdump.conf: failure_action {reboot|halt|poweroff|shell|dump_to_rootfs}";
    public const string FinalActionUsage = "Usage kdump.conf: final_action {reboot|halt|poweroff}";

    // check_fence_kdump_config (l.986).
    public static string FenceNodeIsLocal(string node) => $"Option fence_kdump_nodes cannot contain {node}";

    // check_ssh_config (l.784).
    public static string SshFormat(string configFile) =>
        $"Please verify that {configFile} contains 'ssh <user>@<host>' and that it is properly formatted.";
    public static string InvalidSshDestination(string target) => $"Invalid ssh destination {target} provided.";

    // need_initrd_rebuild / check_files_modified (l.461-733).
    public const string ForceNoRebuildInvalid = "Error: force_no_rebuild value is invalid";
    public const string ForceRebuildInvalid = "Error: force_rebuild value is invalid";
    public const string ForceBothEnabled = "Error: force_rebuild and force_no_rebuild are enabled simultaneously in kdump.conf";
    public static string ForceRebuild(string initrd) => $"Force rebuild {initrd}";
    public const string NoInitrd = "No kdump initial ramdisk found.";
    public static string FileNotFound(string file) => $"Error: {file} not found.";
    public static string NotExecutable(string file) => $"Error: {file} is not executable.";
    public static string FileDoesNotExist(string file) => $"{file} doesn't exist";
    public static string ModuleNotFound(string module) => $"Module {module} not found";
    public static string DetectedChanges(string listWithLeadingSpaces) => $"Detected change(s) in the following file(s): {listWithLeadingSpaces}";
    public const string DetectedFsChange = "Detected change in File System";
    public const string DumpTargetInvalid = "Dump target is invalid";
    public const string PersistentNameFailed = "Get persistent device name failed";
    public const string NoDracutArgsInInitrd = "No dracut arguments found in initrd";
    public static string DetectedDriverChange(string module) => $"Detected change in block device driver, new loaded module: {module}";
    public static string RebuildWithCaptureSupport(string initrd) => $"Rebuild {initrd} with dump capture support";

    // show_reserved_mem (l.891).
    public static string ReservedMemory(ulong megabytes) => $"Reserved {megabytes}MB memory for crash kernel";

    // reset_crashkernel (l.1818) and helpers.
    public static string InvalidKernelOption(string option) => $"Invalid {option}, please specify a valid kernel path, ALL or DEFAULT";
    public const string FadumpOnlyOnPpc = "Option --fadump only valid on PPC";
    public const string RebootDeprecated = "Option --reboot is deprecated and will be removed in the future.";
    public static string NotRecognized(string option) => $"{option} not recognized";
    public static string NoKernelForVersion(string version) => $"no kernel for version {version} found";
    public const string UnableToUpdateCmdline = "Unable to update kernel command line";
    public static string Updated(string newValue, string kernel, string index) =>
        $"Updated crashkernel={newValue} for kernel={kernel}, grub entry index={index}.";
    public static string NoNeedToUpdate(string kernel, string index) =>
        $"No need to update crashkernel value for kernel={kernel}, grub entry index={index}";
    public const string PleaseReboot = "Please reboot the system for the change to take effect.";
    public static string MemoryTooSmall(string dumpMode, int minGigabytes) =>
        "No memory will be reserved for crash kernel for this system because the system memory is smaller than the requirement."
        + $" {dumpMode} requires more than {minGigabytes}GB memory.";
    public static string AutoResetDone(string kernel, string newValue) =>
        $"For kernel={kernel}, crashkernel={newValue} now. Please reboot the system for the change to take effect."
        + " Note if you don't want kdump-utils to manage the crashkernel kernel parameter, please set auto_reset_crashkernel=no in /etc/kdump.conf.";

    // prepare_kdump_bootinfo (kdump-lib.sh l.618) and setup_initrd.
    public const string KernelNotFound = "Failed to detect kdump kernel location";
    public const string BootinfoFailed = "failed to prepare for kdump bootinfo.";
    public const string DebugKernel = "Using debug kernel, you may need to set a larger crashkernel than the default value.";
}
