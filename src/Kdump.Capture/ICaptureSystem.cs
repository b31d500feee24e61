namespace Kdump.Capture;

/// <summary>
/// Every effect of the capture flow outside plain file writes: processes, mounts, module loads,
/// the clock, the network and the machine's end. <see cref="Linux.LinuxCaptureSystem"/> is the real
/// one (reboot and power-off through the reboot guard); tests record calls instead.
/// Paths given here are host paths (already mapped by <see cref="CapturePaths"/>).
/// </summary>
public interface ICaptureSystem
{
    /// <summary>Runs argv (no shell). stdin from a file or /dev/null; stdout to a file (from offset 0, not truncated: a raw device) or the console.</summary>
    int Run(IReadOnlyList<string> argv, string? stdinPath = null, string? stdoutPath = null);

    /// <summary><c>producer | consumer</c> without a shell; the consumer's exit code, or the producer's when the consumer succeeded and it failed.</summary>
    int RunPipeline(IReadOnlyList<string> producer, IReadOnlyList<string> consumer);

    /// <summary>
    /// The built-in collector: makedumpfile's command run in this process with <paramref name="args"/>
    /// (argv without argv[0]); stdout to a file (from offset 0, not truncated: a raw device) or the console.
    /// </summary>
    int RunBuiltIn(IReadOnlyList<string> args, string? stdoutPath = null);

    /// <summary>The built-in collector's stdout into <paramref name="consumer"/>'s stdin (<c>makedumpfile -F … | ssh … dd</c>).</summary>
    int RunBuiltInPipeline(IReadOnlyList<string> args, IReadOnlyList<string> consumer);

    bool IsMountPoint(string path);

    /// <summary>Mount options of the file system mounted at <paramref name="path"/> (<c>findmnt -o OPTIONS</c>), or null.</summary>
    string? GetMountOptions(string path);

    /// <summary>Mounts a device (<c>UUID=</c>/<c>LABEL=</c> allowed) or an NFS export; null on success, else why not.</summary>
    string? Mount(string source, string target, string fsType, string options);

    string? RemountReadWrite(string target);

    /// <summary>finit_module of one (uncompressed) module file; null on success (EEXIST counts as success).</summary>
    string? LoadModule(string path);

    void Sync();

    /// <summary>Local wall-clock time (the initramfs has /etc/localtime).</summary>
    DateTime Now { get; }

    /// <summary>The address this machine uses to reach <paramref name="remoteIp"/>, or null when there is no route.</summary>
    string? GetHostIpToward(string remoteIp);

    /// <summary>Interface, address and route calls for ssh/nfs targets (Network/); null where there are none.</summary>
    Network.INetworkControl? NetworkControl => null;

    /// <summary>
    /// fence_kdump_send with <paramref name="args"/> (options, then nodes) in the background, as
    /// upstream's <c>$FENCE_KDUMP_SEND $FENCE_KDUMP_ARGS $FENCE_KDUMP_NODES &amp;</c>: it sends until
    /// its count is done or the machine goes down, and nothing waits for it.
    /// </summary>
    void StartFenceKdumpSend(IReadOnlyList<string> args);

    /// <summary>The kernel log of the capture kernel (<c>dmesg</c>), for kexec-dmesg.log.</summary>
    string ReadKernelLog();

    /// <summary>A line on the console (kdump-logger's <c>kdump: …</c>).</summary>
    void Log(string message);

    /// <summary>reboot(2) RESTART / HALT / POWER_OFF; returns only when refused or failed.</summary>
    void Reboot();

    void Halt();

    void Poweroff();

    /// <summary>An interactive shell on the console; returns when it exits.</summary>
    void Shell();
}
