using Kdump.Config.IO;
using Kdump.Kexec;

namespace Kdump.Control;

/// <summary>
/// Kdump.Config and Kdump.Kexec each grew a --root abstraction (<see cref="IRootFileSystem"/>,
/// <see cref="SystemRoot"/>); both map a system path under one host directory, so the kexec one is
/// built from the directory "/" maps to.
/// </summary>
internal static class KexecRootBridge
{
    public static SystemRoot ToSystemRoot(IRootFileSystem root) => new(root.HostPath("/"));
}
