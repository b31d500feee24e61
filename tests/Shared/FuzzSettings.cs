using System.Diagnostics;
using System.Globalization;
using Kdump.Primitives.Errors;

namespace Kdump.Tests.Shared;

/// <summary>
/// The fuzzers' knobs: KDUMP_FUZZ_SECONDS (time box per test; each test has its own default, a
/// few seconds in CI) and KDUMP_FUZZ_SEED (varies the fixed seeds). eng/fuzz/run.sh sets both.
/// </summary>
internal static class FuzzSettings
{
    public static TimeSpan Budget(double defaultSeconds) =>
        TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable("KDUMP_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : defaultSeconds);

    public static int Seed(int defaultSeed = 0) =>
        int.TryParse(Environment.GetEnvironmentVariable("KDUMP_FUZZ_SEED"), out var s) ? s : defaultSeed;

    /// <summary>
    /// One fuzz case, <paramref name="what"/> naming its damage: true when <paramref name="body"/>
    /// ran to the end, false when it refused the damage with a KdumpException (the clean way; only
    /// when <paramref name="tolerateRefusal"/>). Any other exception fails the test, as does a case
    /// over <paramref name="maxTime"/> or over <paramref name="maxAllocatedBytes"/> allocated on
    /// this thread (a size read from the damage and allocated).
    /// </summary>
    public static bool RunCase(string what, TimeSpan maxTime, long maxAllocatedBytes, Action body, bool tolerateRefusal = true)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var ran = false;
        try
        {
            body();
            ran = true;
        }
        catch (KdumpException) when (tolerateRefusal)
        {
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException and not FuzzEscapeException)
        {
            throw new FuzzEscapeException($"{what}: {e.GetType().Name} escaped", e);
        }
        Assert.True(clock.Elapsed < maxTime, $"{what}: took {clock.Elapsed}");
        var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.True(bytes < maxAllocatedBytes, $"{what}: allocated {bytes} bytes");
        return ran;
    }
}

/// <summary>An exception other than a KdumpException left a fuzz case (kept as is by an enclosing case).</summary>
internal sealed class FuzzEscapeException(string message, Exception inner) : Exception(message, inner);
