using System.Text;
using Kdump.Config.Shell;
using Kdump.Tests.Shared;

namespace Kdump.Config.Tests;

/// <summary>
/// <see cref="ShellChars.QuoteForShell"/>: what ssh's remote shell gets for a config value. Checked
/// against a real /bin/sh, which must print the value back unchanged and run nothing.
/// </summary>
public class ShellQuoteTests
{
    [Theory]
    [InlineData("/var/crash/")]
    [InlineData("/var/crash/kdump-test-1700000000-42/vmcore-creation.status")]
    [InlineData("/srv/dumps;touch /tmp/pwned")]
    [InlineData("/srv/$(id)")]
    [InlineData("/srv/`id`")]
    [InlineData("/srv/it's here")]
    [InlineData("/srv/a b|c&d>e<f*g?h[i]~j!k#l{m}n")]
    [InlineData("")]
    public void The_shell_reads_the_word_back_unchanged(string value)
    {
        var r = ExternalProcess.Run("/bin/sh", ["-c", "printf '%s' " + ShellChars.QuoteForShell(value)]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(value, Encoding.UTF8.GetString(r.Stdout));
    }

    [Theory]
    [InlineData("/var/crash/")]
    [InlineData("/var/crash/127.0.0.1-2024-01-01-00:00:00")]
    public void Ordinary_paths_stay_as_upstream_passes_them(string value) =>
        Assert.Equal(value, ShellChars.QuoteForShell(value));
}
