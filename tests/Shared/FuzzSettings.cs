using System.Globalization;

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
}
