using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Kdump.Kernel.Pages;

/// <summary>makedumpfile's <c>is_zero_page</c>: every byte of the page is zero (dump level bit 1).</summary>
public static class ZeroPage
{
    private const int Block = 8 * 16; // bytes OR-ed together before each test

    /// <summary>True when <paramref name="page"/> holds only zero bytes.</summary>
    /// <remarks>
    /// Every page of a dump passes here first, and a realistic 4 GiB guest has ~2 GB of zero pages,
    /// each read from memory for the first time. <c>ContainsAnyExcept</c> tests and branches every
    /// 16 bytes in our NativeAOT build (SSE, no AVX); its loop was 8–13 % of <c>-l -d 1</c> and its
    /// time moved by 70 % between builds with the code's alignment. OR-ing 128 bytes before one test
    /// keeps eight loads in flight and branches eight times less; a non-zero page still stops at its
    /// first non-zero block.
    /// </remarks>
    public static bool IsZeroPage(ReadOnlySpan<byte> page)
    {
        if (!Vector128.IsHardwareAccelerated || page.Length % Block != 0) return !page.ContainsAnyExcept((byte)0);
        ref var start = ref MemoryMarshal.GetReference(page);
        for (nuint i = 0; i < (nuint)page.Length; i += Block)
        {
            var a = Vector128.LoadUnsafe(ref start, i) | Vector128.LoadUnsafe(ref start, i + 16);
            var b = Vector128.LoadUnsafe(ref start, i + 32) | Vector128.LoadUnsafe(ref start, i + 48);
            var c = Vector128.LoadUnsafe(ref start, i + 64) | Vector128.LoadUnsafe(ref start, i + 80);
            var d = Vector128.LoadUnsafe(ref start, i + 96) | Vector128.LoadUnsafe(ref start, i + 112);
            if ((a | b | c | d) != Vector128<byte>.Zero) return false;
        }
        return true;
    }
}
