namespace Kdump.Makedumpfile;

/// <summary>Our own short usage text (upstream's long help is not reproduced; the options are the same).</summary>
internal static class Usage
{
    public const string Text = """

        Usage (compatible with makedumpfile 1.7.8):
          Creating DUMPFILE:   makedumpfile [-c|-l|-p|-z|-E] [-d DL] [--num-threads N] VMCORE DUMPFILE
          Flattened output:    makedumpfile -F [-c|-l|-p|-z|-E] [-d DL] VMCORE
          Splitting:           makedumpfile --split [-c|-l|-p|-z] [-d DL] VMCORE DUMPFILE1 DUMPFILE2 ...
          Reassembling:        makedumpfile --reassemble DUMPFILE1 DUMPFILE2 ... DUMPFILE
          Rearranging:         makedumpfile -R DUMPFILE < FLATTENED
          Memory usage:        makedumpfile --mem-usage /proc/kcore
          Dumping the log:     makedumpfile --dump-dmesg [--partial-dmesg] VMCORE LOGFILE
          Version / help:      makedumpfile -v | -h

        Every option of 1.7.8 is accepted by the parser (short "b:cDd:eEFfg:hi:lL:pRvXx:z" and the long
        options); --eppic and Xen/sadump inputs are refused. --dry-run does
        everything but write. See docs/compat/makedumpfile.md.

        """;
}
