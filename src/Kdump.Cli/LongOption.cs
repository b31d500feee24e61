namespace Kdump.Cli;

/// <summary>
/// One entry of a getopt_long table: <paramref name="Name"/> without the leading <c>--</c>, and the
/// <paramref name="Id"/> reported when it is seen (a short-option character or a private code).
/// </summary>
public sealed record LongOption(string Name, ArgumentKind Argument, int Id);
