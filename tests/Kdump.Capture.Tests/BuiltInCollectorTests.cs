using Kdump.Capture.Linux;
using Kdump.Linux.Testing;
using Kdump.Tests.Shared;

namespace Kdump.Capture.Tests;

/// <summary>The in-process collector as the real capture system runs it (no reboot or mount is reached).</summary>
public sealed class BuiltInCollectorTests : IDisposable
{
    private readonly ScratchDir _dir = Lab.Scratch("builtin-collector");
    private readonly StringWriter _console = new();

    public void Dispose()
    {
        _console.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void An_engine_that_throws_is_a_failed_collector_not_a_dead_init()
    {
        var system = new LinuxCaptureSystem(new RecordingSystemCalls(), _console, (_, _) => throw new InvalidOperationException("engine bug"));
        Assert.Equal(1, system.RunBuiltIn(["-l", "-d", "31", "/proc/vmcore", "out"], Path.Combine(_dir.Path, "raw")));
        Assert.Equal("kdump: makedumpfile (built in) failed: InvalidOperationException: engine bug\n", _console.ToString());
    }

    [Fact]
    public void Its_stdout_is_the_device_written_from_offset_0_without_truncation()
    {
        var device = Path.Combine(_dir.Path, "vdc");
        File.WriteAllBytes(device, [.. Enumerable.Repeat((byte)0xEE, 16)]);
        List<string>? seen = null;
        var system = new LinuxCaptureSystem(new RecordingSystemCalls(), _console, (args, stdout) =>
        {
            seen = [.. args];
            stdout.Write("dump"u8);
            return 0;
        });
        Assert.Equal(0, system.RunBuiltIn(["-F", "/proc/vmcore"], device));
        Assert.Equal(["-F", "/proc/vmcore"], seen);
        Assert.Equal([.. "dump"u8, .. Enumerable.Repeat((byte)0xEE, 12)], File.ReadAllBytes(device));
    }

    [Fact]
    public void An_unopenable_device_is_a_failed_collector()
    {
        var system = new LinuxCaptureSystem(new RecordingSystemCalls(), _console, (_, _) => 0);
        Assert.Equal(1, system.RunBuiltIn(["-F", "/proc/vmcore"], Path.Combine(_dir.Path, "no", "such", "dir", "vdc")));
        Assert.StartsWith("kdump: cannot open ", _console.ToString(), StringComparison.Ordinal);
    }
}
