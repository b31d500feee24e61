using Kdump.Initramfs.Image;
using Kdump.Initramfs.Modules;

namespace Kdump.Initramfs;

/// <summary>A planned capture initramfs and what building it said.</summary>
public sealed record CaptureImage(ImagePlan Plan, IReadOnlyList<ModuleEntry> Modules, IReadOnlyList<string> Warnings)
{
    /// <summary>kdump.conf's <c>dracut_args</c>, split into words (the minimal backend takes its compression from them: <see cref="InitramfsCompressors.FromDracutArgs"/>).</summary>
    public IReadOnlyList<string> DracutArgs { get; init; } = [];

    /// <summary>The capture program (kdump-capture) in the minimal image; the dracut stage moves it.</summary>
    public const string InitPath = "/init";

    /// <summary>The image's makedumpfile: a link to <see cref="InitPath"/> (kdump-capture is multi-call), or a file given to mkdumprd.</summary>
    public const string MakedumpfilePath = "/usr/sbin/makedumpfile";

    /// <summary>
    /// Upstream's FENCE_KDUMP_SEND: a link to <see cref="InitPath"/> (kdump-capture is also
    /// fence_kdump_send) when kdump.conf names fence_kdump nodes, for hooks that call it.
    /// </summary>
    public const string FenceKdumpSendPath = "/usr/libexec/fence_kdump_send";

    /// <summary>
    /// Written when mkdumprd read the cluster's CIB and found a fence_kdump device: every
    /// <c>node_state</c> name of it, this machine's too, one a line. kdumpctl tells by it an image
    /// built with the cluster up from one built while it did not answer, or while its status named
    /// fewer nodes (the controller fills it in at start; that does not change cib-last-written).
    /// </summary>
    public const string PacemakerNodesPath = "/etc/kdump/pacemaker-nodes";

    /// <summary>Image file listing module paths in load order, one a line; the capture program loads them.</summary>
    public const string ModuleListPath = "/etc/kdump/modules.load";

    /// <summary>The capture kernel's mount table for the dump target (dracut's <c>--mount</c> writes the same).</summary>
    public const string FstabPath = "/etc/fstab";
}
