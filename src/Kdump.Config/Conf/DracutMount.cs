namespace Kdump.Config.Conf;

/// <summary>
/// The target of <c>dracut_args --mount "&lt;dev&gt; &lt;mnt&gt; &lt;fstype&gt; &lt;opts&gt;"</c>.
/// </summary>
public sealed record DracutMount(string Device, string MountPoint, string FsType, string Options);
