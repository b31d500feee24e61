using System.Text;
using Kdump.Kernel.Printk;
using Kdump.Kernel.Printk.Formatting;
using Kdump.Kernel.Tests.Synthetic;

namespace Kdump.Kernel.Tests;

internal static class PrintkTestHelpers
{
    public static PrintkLog Read(SyntheticKernel k, TranslationStrategy strategy = TranslationStrategy.PageTables)
    {
        var dump = k.ToDump(strategy == TranslationStrategy.PageTables ? null : k.ProcVmcoreSegments());
        var view = KernelView.Open(dump, strategy);
        return PrintkLayouts.Read(view.VmcoreInfo, view.Memory);
    }

    public static string VmcoreDmesg(PrintkLog log)
    {
        using var ms = new MemoryStream();
        VmcoreDmesgFormat.Write(log, ms);
        return Encoding.Latin1.GetString(ms.ToArray());
    }

    public static string Makedumpfile(PrintkLog log)
    {
        using var ms = new MemoryStream();
        MakedumpfileDmesgFormat.Write(log, ms);
        return Encoding.Latin1.GetString(ms.ToArray());
    }

    public static List<string> Texts(PrintkLog log) =>
        [.. log.Records.Where(r => r.Kind == PrintkRecordKind.Message).Select(r => Encoding.UTF8.GetString(r.Text.Span))];
}
