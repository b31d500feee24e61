namespace Kdump.Control.Commands;

/// <summary>One kdumpctl subcommand: runs with the arguments after its name and returns the exit status.</summary>
public interface IKdumpctlCommand
{
    string Name { get; }

    int Run(KdumpctlSession session, IReadOnlyList<string> args);
}
