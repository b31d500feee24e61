using Kdump.Initramfs.Image;

namespace Kdump.Initramfs.Dracut;

/// <summary>Everything mkdumprd's dracut backend needs besides what the minimal backend's request holds.</summary>
public sealed record DracutImageRequest
{
    /// <summary>The kdump part: root, kernel version, capture program, makedumpfile, mounts, watchdogs.</summary>
    public required CaptureImageRequest Capture { get; init; }

    /// <summary>The image file dracut writes.</summary>
    public required string Image { get; init; }

    public required InitramfsCompression Compression { get; init; }

    public required DracutInstallation Dracut { get; init; }

    /// <summary>Our dracut module's directory when it is not installed in dracut's modules.d.</summary>
    public string? ModuleSource { get; init; }

    /// <summary>mkdumprd --debug: dracut --debug instead of --quiet.</summary>
    public bool Debug { get; init; }

    public required ICommandRunner Runner { get; init; }

    /// <summary>Where dracut's output goes (mkdumprd's standard error).</summary>
    public required TextWriter Output { get; init; }
}
