namespace Kdump.Config.Conf;

/// <summary>
/// One directive line of kdump.conf after upstream's normalisation
/// (<c>kdump_read_conf</c>): option word and value with trailing comment and one pair of
/// surrounding double quotes removed.
/// </summary>
/// <param name="LineNumber">1-based line number in the file.</param>
/// <param name="Option">First whitespace-separated word.</param>
/// <param name="Value">Rest of the line, normalised; empty when the directive has no value.</param>
public sealed record KdumpConfLine(int LineNumber, string Option, string Value);
