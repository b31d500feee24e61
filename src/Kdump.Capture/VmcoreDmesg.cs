using Kdump.Kernel;
using Kdump.Kernel.Printk;
using Kdump.Kernel.Printk.Formatting;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Capture;

/// <summary>vmcore-dmesg in-process: the crashed kernel's log, in vmcore-dmesg's exact format.</summary>
public static class VmcoreDmesg
{
    /// <summary>Writes the log of <paramref name="vmcorePath"/> to <paramref name="output"/>; null on success, else why not.</summary>
    public static string? TryWrite(string vmcorePath, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            using var dump = DumpOpener.Open(vmcorePath, new DumpOpenOptions { AcceptFlattened = true });
            var view = KernelView.Open(dump, TranslationStrategy.SegmentsElsePageTables);
            var log = PrintkLayouts.Read(view.VmcoreInfo, view.Memory);
            VmcoreDmesgFormat.Write(log, output);
            output.Flush();
            return null;
        }
        catch (Exception e) when (e is KdumpException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return e.Message;
        }
    }
}
