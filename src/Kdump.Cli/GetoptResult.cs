namespace Kdump.Cli;

/// <summary>Options in command-line order and the operands (GNU permutation: operands may appear anywhere).</summary>
public sealed record GetoptResult(IReadOnlyList<GetoptItem> Options, IReadOnlyList<string> Operands)
{
    /// <summary>The first usage error, if any; tools that stop at getopt's <c>'?'</c> act on this one.</summary>
    public GetoptItem? FirstError => Options.FirstOrDefault(o => o.IsError);

    /// <summary>
    /// argv (without argv[0]) as glibc's getopt leaves it once done: the words that held options
    /// (with their separate arguments) in order, then a "--" if one was given, then the operands.
    /// Tools that print their command line after parsing (makedumpfile -D) print this order.
    /// </summary>
    public IReadOnlyList<string> Permuted { get; init; } = [];
}
