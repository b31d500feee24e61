namespace Kdump.Config.Messages;

/// <summary>
/// One message as kdumpctl would log it. <see cref="Text"/> is upstream's text, verbatim;
/// <see cref="Line"/> is the kdump.conf line it is about (upstream does not print it, so it is
/// kept beside the text, never inside it).
/// </summary>
public sealed record KdumpMessage(KdumpLogLevel Level, string Text, int? Line = null)
{
    /// <summary>The console form: <c>kdump: &lt;text&gt;</c> (kdump-logger.sh, printed on stderr).</summary>
    public string ToConsoleLine() => KdumpLog.Format(Text);

    public override string ToString() => ToConsoleLine();
}
