namespace Kdump.Capture;

/// <summary>
/// makedumpfile's command run in the capture program's process (Kdump.Makedumpfile, wired by the
/// kdump-capture tool): <paramref name="args"/> without argv[0], its standard output on
/// <paramref name="stdout"/>; returns its exit code. One process and one copy of the dump fewer than
/// running the image's makedumpfile, whose output the capture program would have to pipe on.
/// </summary>
public delegate int BuiltInCollector(IReadOnlyList<string> args, Stream stdout);
