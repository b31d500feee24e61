using Kdump.Config.Conf;
using Kdump.Control.Host;

namespace Kdump.Control.Commands;

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
