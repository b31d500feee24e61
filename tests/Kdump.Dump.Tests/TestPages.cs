namespace Kdump.Dump.Tests;

/// <summary>Generated page contents: runs, near and far repeats, and noise (every LZO instruction form).</summary>
internal static class TestPages
{
    public static byte[] Mixed(int seed, int size = 4096)
    {
        var page = new byte[size];
        var rng = new Random(seed);
        for (var i = 0; i < size;)
        {
            var len = Math.Min(size - i, rng.Next(1, 300));
            switch (rng.Next(4))
            {
                case 0: page.AsSpan(i, len).Fill((byte)rng.Next(256)); break;
                case 1 when i > 0:
                    var from = rng.Next(i);
                    for (var k = 0; k < len; k++) page[i + k] = page[from + k];
                    break;
                default: rng.NextBytes(page.AsSpan(i, len)); break;
            }
            i += len;
        }
        return page;
    }

    public static byte[] Random(int seed, int size = 4096)
    {
        var page = new byte[size];
        new Random(seed).NextBytes(page);
        return page;
    }
}
