using Kdump.Config.Conf;
using Kdump.Config.Shell;
using Kdump.Control.Host;

namespace Kdump.Control.Commands;

/// <summary>
/// The ssh dump target from the first kernel: <c>check_and_wait_network_ready</c> and the key copy
/// of <c>propagate</c>. Every ssh runs as an argv with <c>StrictHostKeyChecking=yes</c>: the
/// server's host key must already be pinned in known_hosts — nothing is trusted on first use.
/// </summary>
internal static class SshTarget
{
    public const int NetworkWaitSeconds = 180;

    /// <summary>The pinned host keys: root's known_hosts under the root (the capture initramfs gets the same file).</summary>
    public const string KnownHosts = "/root/.ssh/known_hosts";

    public static string[] SshOptions(KdumpctlSession session, string key, bool batch) =>
    [
        "ssh", "-i", session.Root.HostPath(key), .. batch ? new[] { "-o", "BatchMode=yes" } : [],
        "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + session.Root.HostPath(KnownHosts),
    ];

    public static bool CheckReady(KdumpctlSession session, KdumpConfig config)
    {
        var target = config.Target!.Value;
        var path = config.SavePath;
        var warned = false;
        for (var waited = 0; ; waited++)
        {
            var r = session.Services.Processes.Run([.. SshOptions(session, config.SshKey, batch: true), target, "mkdir", "-p", ShellChars.QuoteForShell(path)]);
            if (r.ExitCode == 0) return true;
            if (r.ExitCode != 255)
            {
                session.Error($"Could not create {target}:{path}, you should check the privilege on server side");
                return false;
            }
            if (r.Stderr.Contains("Permission denied", StringComparison.Ordinal)
                || r.Stderr.Contains("No such file or directory", StringComparison.Ordinal)
                || r.Stderr.Contains("Host key verification failed", StringComparison.Ordinal))
            {
                session.Error($"Could not create {target}:{path}, you probably need to run \"kdumpctl propagate\"");
                return false;
            }
            if (waited >= NetworkWaitSeconds)
            {
                session.Error($"Could not create {target}:{path}, ipaddr is not ready yet. You should check network connection");
                return false;
            }
            if (!warned)
            {
                session.Warn("Network dump target is not usable, waiting for it to be ready...");
                warned = true;
            }
            session.Services.Sleep(TimeSpan.FromSeconds(1));
        }
    }
}
