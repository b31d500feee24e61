namespace Kdump.Kernel.Pages;

/// <summary>makedumpfile's <c>is_zero_page</c>: every byte of the page is zero (dump level bit 1).</summary>
public static class ZeroPage
{
    /// <summary>True when <paramref name="page"/> holds only zero bytes (vectorized).</summary>
    public static bool IsZeroPage(ReadOnlySpan<byte> page) => !page.ContainsAnyExcept((byte)0);
}
