using Kdump.Config.IO;
using Kdump.Config.Messages;

namespace Kdump.Config.Boot;

/// <summary>
/// What reset-crashkernel will change: file edits applied all-or-nothing, commands to run
/// (grubby argv, or update-grub after a /etc/default/grub edit), and kdumpctl's messages.
/// </summary>
public sealed record BootloaderPlan(
    BootloaderKind Kind,
    IReadOnlyList<FileReplacement> Edits,
    IReadOnlyList<string[]> Commands,
    IReadOnlyList<KdumpMessage> Messages)
{
    /// <summary>System paths the plan rewrites.</summary>
    public IReadOnlyList<string> ChangedFiles => [.. Edits.Select(e => e.SystemPath)];

    /// <summary>Whether anything changes.</summary>
    public bool HasChanges => Edits.Count > 0 || (Kind == BootloaderKind.Grubby && Commands.Count > 0);

    /// <summary>Writes every edit atomically (temp + rename, restored on failure).</summary>
    public void Apply(IRootFileSystem root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (Edits.Count > 0) root.ReplaceFilesAtomically(Edits);
    }
}
