using Kdump.Config.Mounts;

namespace Kdump.Initramfs;

/// <summary>Everything mkdumprd's minimal backend needs to plan a capture initramfs.</summary>
public sealed record CaptureImageRequest
{
    /// <summary>Host directory of the system the image is built for ("/" normally; <c>--root</c>).</summary>
    public required string Root { get; init; }

    /// <summary>The capture kernel's version: modules come from <c>lib/modules/KVER</c>.</summary>
    public required string KernelVersion { get; init; }

    /// <summary>Host path of our capture program (becomes <c>/init</c>).</summary>
    public required string CaptureProgram { get; init; }

    /// <summary>Host path of a makedumpfile to copy to <c>/usr/sbin/makedumpfile</c>; null = a link to the capture program (multi-call).</summary>
    public string? Makedumpfile { get; init; }

    /// <summary>The first kernel's mounts (for the target's mount point and options, and the default target); null = none known.</summary>
    public MountTable? Mounts { get; init; }

    /// <summary>Modules of the watchdogs active in the first kernel (upstream's <c>watchdog</c> dracut module).</summary>
    public IReadOnlyList<string> WatchdogModules { get; init; } = [];

    /// <summary>Add busybox (and /bin/sh) even when failure_action is not shell.</summary>
    public bool IncludeBusybox { get; init; }

    /// <summary>
    /// Runs the programs of mkdumprd's checks on this machine: ssh for an ssh target (mkdir, a write
    /// test, df on the server), mount and umount for a file-system target that is not mounted (it is
    /// mounted to check its dump path and room, then unmounted). Null = an image built for another
    /// root, whose key, known_hosts and devices are not this machine's to use: an ssh target is not
    /// checked, an unmounted target gets a warning.
    /// </summary>
    public Dracut.ICommandRunner? PreflightCommands { get; init; }

    /// <summary>Where the output of the programs the checks run (mount's errors) goes, as upstream's terminal; null = dropped.</summary>
    public TextWriter? CommandOutput { get; init; }

    /// <summary>The first kernel's routes, interfaces and addresses, for ssh and nfs targets; null = none known.</summary>
    public Network.HostNetwork? Network { get; init; }

    /// <summary>
    /// Asks the cluster for its CIB (<c>pcs cluster cib</c>), which upstream's mkdumprd does when
    /// kdump.conf names no fence_kdump node; returns null when there is no pcs or no cluster. Called
    /// only then. Null = no cluster to ask.
    /// </summary>
    public Func<Kdump.Config.Cluster.PacemakerCib?>? Pacemaker { get; init; }

    /// <summary>
    /// Told each warning as the build meets it (upstream's mkdumprd prints each at once, so those
    /// before a fatal error are seen too); the image lists them all as well.
    /// </summary>
    public Action<string>? OnWarning { get; init; }
}
