namespace Kdump.Cli;

/// <summary>Whether an option takes an argument (getopt's <c>no_argument</c>, <c>required_argument</c>, <c>optional_argument</c>).</summary>
public enum ArgumentKind
{
    None,
    Required,
    Optional,
}
