using Kdump.Config.Conf;
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

    public static string[] SshOptions(KdumpctlSession session, string key, bool batch) =>
    [
        "ssh", "-i", session.Root.HostPath(key), .. batch ? new[] { "-o", "BatchMode=yes" } : [],
        "-o", "StrictHostKeyChecking=yes",
    ];

    public static bool CheckReady(KdumpctlSession session, KdumpConfig config)
    {
        var target = config.Target!.Value;
        var path = config.SavePath;
        var warned = false;
        for (var waited = 0; ; waited++)
        {
            var r = session.Services.Processes.Run([.. SshOptions(session, config.SshKey, batch: true), target, "mkdir", "-p", path]);
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

/// <summary>propagate: generate the kdump ssh key if needed and append its public half on the target.</summary>
public sealed class PropagateCommand : IKdumpctlCommand
{
    // Runs on the server with the public key on stdin; the key text never reaches a shell.
    public const string RemoteAppend = "umask 077 && mkdir -p .ssh && cat >> .ssh/authorized_keys";

    public string Name => "propagate";

    public int Run(KdumpctlSession session, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(session);
        var config = session.ParseConfig();
        if (config is null) return 1;
        if (config.Target is not { Kind: DumpTargetKind.Ssh } target)
        {
            session.Error("No ssh destination defined in /etc/kdump.conf.");
            session.Error("Please verify that /etc/kdump.conf contains both the 'ssh' and 'sshkey' directives.");
            return 1;
        }
        var key = config.SshKey;
        if (session.Root.FileExists(key))
        {
            session.Info("Using existing keys...");
        }
        else
        {
            session.Info("Generating new ssh keys... ");
            var keygen = session.Services.Processes.Run(["ssh-keygen", "-t", "rsa", "-f", session.Root.HostPath(key), "-N", "", "-q"]);
            if (keygen.ExitCode != 0)
            {
                if (keygen.Stderr.Length > 0) session.Services.Console.Error.Write(keygen.Stderr);
                session.Error($"Failed to generate ssh key {key}");
                return 1;
            }
            session.Info("done.");
        }

        var host = target.RemoteHost ?? target.Value;
        var user = target.SshUser ?? "root";
        var publicKey = session.ReadSmall(key + ".pub");
        var copy = publicKey is null ? new ProcessResult(1)
            : session.Services.Processes.Run([.. SshTarget.SshOptions(session, key, batch: false), target.Value, RemoteAppend], publicKey);
        if (copy.ExitCode != 0)
        {
            session.Error($"Failed to propagate ssh key, could not transfer {key} to {host}");
            return 1;
        }
        session.Info($"{key} has been added to ~{user}/.ssh/authorized_keys on {host}");
        return 0;
    }
}
