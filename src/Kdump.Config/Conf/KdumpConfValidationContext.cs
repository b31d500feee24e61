namespace Kdump.Config.Conf;

/// <summary>
/// The facts <c>parse_config</c> asks the system for, injected so validation stays pure.
/// </summary>
public sealed record KdumpConfValidationContext
{
    /// <summary>Name used in messages (<c>$KDUMP_CONFIG_FILE</c>).</summary>
    public string ConfigFile { get; init; } = Messages.KdumpctlText.ConfigFile;

    /// <summary><c>[[ -f $sshkey ]]</c>.</summary>
    public Func<string, bool> FileExists { get; init; } = static _ => false;

    /// <summary><c>readlink -m</c> of an existing sshkey.</summary>
    public Func<string, string> Canonicalize { get; init; } = IO.SystemPath.Normalize;

    /// <summary><c>[[ -d /proc/device-tree/ibm,opal/dump ]]</c>.</summary>
    public bool OpalDumpPresent { get; init; }

    /// <summary><c>hostname</c>.</summary>
    public string Hostname { get; init; } = "";

    /// <summary><c>hostname -I</c>, split.</summary>
    public IReadOnlyList<string> HostAddresses { get; init; } = [];

    /// <summary>
    /// <c>ssh -G &lt;target&gt;</c>'s <c>hostname</c> line. Default: the host part unchanged
    /// (no ssh_config <c>Host</c> aliases).
    /// </summary>
    public Func<string, string?> SshHostname { get; init; } = static target =>
    {
        var at = target.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? target : target[(at + 1)..];
    };

    /// <summary>Facts read from a root tree: sshkey existence and the OPAL dump directory.</summary>
    public static KdumpConfValidationContext FromRoot(IO.IRootFileSystem root, string hostname = "", IReadOnlyList<string>? hostAddresses = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        return new KdumpConfValidationContext
        {
            FileExists = root.FileExists,
            Canonicalize = p => root.ResolveLink(p) ?? IO.SystemPath.Normalize(p),
            OpalDumpPresent = root.DirectoryExists("/proc/device-tree/ibm,opal/dump"),
            Hostname = hostname,
            HostAddresses = hostAddresses ?? [],
        };
    }
}
