namespace Kdump.Cli;

/// <summary>Options in command-line order and the operands (GNU permutation: operands may appear anywhere).</summary>
public sealed record GetoptResult(IReadOnlyList<GetoptItem> Options, IReadOnlyList<string> Operands)
{
    /// <summary>The first usage error, if any; tools that stop at getopt's <c>'?'</c> act on this one.</summary>
    public GetoptItem? FirstError => Options.FirstOrDefault(o => o.IsError);
}
