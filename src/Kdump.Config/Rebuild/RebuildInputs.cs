namespace Kdump.Config.Rebuild;

/// <summary>
/// Everything <c>need_initrd_rebuild</c> (kdumpctl:699) decides on, gathered by the caller.
/// </summary>
/// <param name="ForceRebuild">Raw <c>force_rebuild</c> (null = unset = 0).</param>
/// <param name="ForceNoRebuild">Raw <c>force_no_rebuild</c> (null = unset = 0).</param>
/// <param name="TargetInitrd">The kdump initramfs path.</param>
/// <param name="InitrdModificationTime">Its mtime in seconds, or null when it does not exist.</param>
/// <param name="WatchedFiles">The files of <see cref="RebuildDecision.WatchedFileList"/>, in that order.</param>
/// <param name="MustBeExecutable">kdump_post, kdump_pre, kdump_emergency and extra_bins paths.</param>
/// <param name="ClusterModifiedFiles">Pacemaker part (<c>get_pcs_cluster_modified_files</c>) given the image's time, asked only when the decision gets to the files (it runs pcs).</param>
/// <param name="FileSystem">Inputs of <c>check_fs_modified</c>, gathered only when the decision gets that far (they may read the image).</param>
/// <param name="Drivers">Inputs of <c>check_drivers_modified</c> (null result: no driver needed), gathered only when the decision gets that far.</param>
/// <param name="Fadump">fadump mode: the initrd must contain kdumpbase or zz-fadumpinit.</param>
/// <param name="FadumpInitrdHasCaptureModule">fadump: <c>kdumpbase</c>/<c>zz-fadumpinit</c> is in the initrd's modules.txt.</param>
public sealed record RebuildInputs(
    string? ForceRebuild,
    string? ForceNoRebuild,
    string TargetInitrd,
    long? InitrdModificationTime,
    IReadOnlyList<FileFacts> WatchedFiles,
    IReadOnlyList<FileFacts> MustBeExecutable,
    Func<long, IReadOnlyList<string>>? ClusterModifiedFiles = null,
    Func<FsCheckInputs>? FileSystem = null,
    Func<DriverCheckInputs?>? Drivers = null,
    bool Fadump = false,
    bool FadumpInitrdHasCaptureModule = true);

/// <summary>
/// Inputs of <c>check_fs_modified</c>. <see cref="Skip"/> covers ssh, nfs, raw, virtiofs, LVM-thin
/// and dracut <c>--mount</c> targets.
/// </summary>
/// <param name="Skip">No file-system check for this target kind.</param>
/// <param name="Target"><c>get_block_dump_target</c>.</param>
/// <param name="FsType">Its file system type.</param>
/// <param name="PersistentDevice"><c>kdump_get_persistent_dev</c>.</param>
/// <param name="KdumpMountPoint"><c>get_kdump_mntpoint_from_target</c>.</param>
/// <param name="InitrdBuildParameters">The initrd's <c>usr/lib/dracut/build-parameter.txt</c> (empty when missing).</param>
/// <param name="RootDevice"><c>findmnt -k -f -n -o SOURCE /</c>.</param>
/// <param name="InitrdReadProblem">Why the initrd could not be read (warned about where upstream runs lsinitrd), or null.</param>
public sealed record FsCheckInputs(bool Skip, string Target = "", string FsType = "", string PersistentDevice = "",
    string KdumpMountPoint = "", string InitrdBuildParameters = "", string RootDevice = "", string? InitrdReadProblem = null);

/// <summary>
/// Inputs of <c>check_drivers_modified</c>: module names needed now (block drivers of the target
/// and its slaves, plus watchdog drivers unless omitted), already filtered to loadable modules
/// (builtin and unknown ones dropped, as upstream's modinfo test does), and the initrd's list.
/// </summary>
/// <param name="RequiredModules">Module names needed now.</param>
/// <param name="InitrdModules">The initrd's <c>usr/lib/dracut/hostonly-kernel-modules.txt</c> names.</param>
/// <param name="InitrdReadProblem">Why the initrd could not be read, or null.</param>
public sealed record DriverCheckInputs(IReadOnlyList<string> RequiredModules, IReadOnlyList<string> InitrdModules, string? InitrdReadProblem = null);
