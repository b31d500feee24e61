namespace Kdump.Initramfs.Dracut;

/// <summary>
/// The dracut that builds the image and where our module comes from. dracut 059 reads modules
/// from <c>$dracutbasedir/modules.d</c> only; when ours is not installed there (a build tree, the
/// lab), dracut is pointed (<c>dracutbasedir=</c>) at a copy of its base directory made of
/// symbolic links, whose modules.d adds ours.
/// </summary>
public sealed record DracutInstallation(string Program, string BaseDirectory)
{
    /// <summary>Our module's directory name under modules.d (dist/dracut/99kdump-cs).</summary>
    public const string ModuleDirectoryName = "99kdump-cs";

    /// <summary>Debian's and upstream's layout.</summary>
    public static DracutInstallation System { get; } = new("dracut", "/usr/lib/dracut");

    public bool HasOurModule => Directory.Exists(Path.Combine(BaseDirectory, "modules.d", ModuleDirectoryName));

    /// <summary>
    /// The environment that makes dracut find our module: none when installed, else a linked base
    /// directory under <paramref name="scratch"/> with <paramref name="moduleSource"/> added.
    /// </summary>
    public IReadOnlyDictionary<string, string> ModuleEnvironment(string? moduleSource, string scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        if (HasOurModule) return new Dictionary<string, string>();
        if (!Directory.Exists(BaseDirectory))
            throw new InitramfsBuildException($"dracut's base directory {BaseDirectory} does not exist: is dracut installed?");
        if (moduleSource is null || !File.Exists(Path.Combine(moduleSource, "module-setup.sh")))
            throw new InitramfsBuildException(
                $"the dracut module {ModuleDirectoryName} is neither installed in {BaseDirectory}/modules.d nor found at {moduleSource ?? "(none)"}");
        var linked = Path.Combine(scratch, "dracut");
        var modules = Path.Combine(linked, "modules.d");
        Directory.CreateDirectory(modules);
        foreach (var entry in Directory.EnumerateFileSystemEntries(BaseDirectory))
        {
            var name = Path.GetFileName(entry);
            if (name != "modules.d") File.CreateSymbolicLink(Path.Combine(linked, name), entry);
        }
        var installed = Path.Combine(BaseDirectory, "modules.d");
        if (Directory.Exists(installed))
        {
            foreach (var module in Directory.EnumerateFileSystemEntries(installed))
                File.CreateSymbolicLink(Path.Combine(modules, Path.GetFileName(module)), module);
        }
        File.CreateSymbolicLink(Path.Combine(modules, ModuleDirectoryName), Path.GetFullPath(moduleSource));
        return new Dictionary<string, string> { ["dracutbasedir"] = linked };
    }
}
