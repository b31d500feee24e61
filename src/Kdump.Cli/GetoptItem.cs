namespace Kdump.Cli;

/// <summary>
/// One option found on the command line, in order. <see cref="Id"/> is the short option character
/// or the long option's id; <see cref="Getopt.ErrorId"/> (<c>'?'</c>) means a usage error whose
/// getopt-worded message is <see cref="Error"/>.
/// </summary>
public sealed record GetoptItem(int Id, string? Argument, string Spelling, string? Error = null)
{
    public bool IsError => Id == Getopt.ErrorId;
}
