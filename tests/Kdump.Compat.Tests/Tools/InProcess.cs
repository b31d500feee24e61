using System.Text;
using Kdump.Cli;

namespace Kdump.Compat.Tests.Tools;

/// <summary>Runs a tool's command in-process against memory streams, as a shell would run the binary.</summary>
internal static class InProcess
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string StdoutText => Encoding.UTF8.GetString(Stdout);
    }

    public static Result Run(Func<IToolContext, IReadOnlyList<string>, int> command, string programName, IReadOnlyList<string> args, Stream? stdin = null)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        using (var context = new StreamToolContext(programName, stdin ?? Stream.Null, stdout, stderr, Environment.CurrentDirectory,
            new Dictionary<string, string>()))
        {
            var code = command(context, args);
            context.Out.Flush();
            context.Error.Flush();
            return new Result(code, stdout.ToArray(), Encoding.UTF8.GetString(stderr.ToArray()));
        }
    }

    /// <summary>Upstream makedumpfile escapes bytes ≥ 0x80 as <c>\xffffffXX</c>; we print <c>\xXX</c>. This is the only normalisation.</summary>
    public static string NormaliseSignedCharEscapes(string makedumpfileText) =>
        System.Text.RegularExpressions.Regex.Replace(makedumpfileText, @"\\xffffff([0-9a-f]{2})", @"\x$1");
}
