namespace Kdump.Tools.Makedumpfile;

/// <summary>Our own short usage text (upstream's long help is not reproduced; the options are the same).</summary>
internal static class Usage
{
    public const string Text = """

        Usage (compatible with makedumpfile 1.7.8):
          Creating DUMPFILE:   makedumpfile [-c|-l|-p|-z|-E] [-d DL] [-x VMLINUX|-i VMCOREINFO] VMCORE DUMPFILE
          Flattened output:    makedumpfile -F [-c|-l|-p|-z|-E] [-d DL] VMCORE
          Rearranging:         makedumpfile -R DUMPFILE < FLATTENED
          Dumping the log:     makedumpfile --dump-dmesg [--partial-dmesg] VMCORE LOGFILE
          Version / help:      makedumpfile -v | -h

        This build implements --dump-dmesg, -R, -h and -v. Every other option of 1.7.8 is accepted by
        the parser (short "b:cDd:eEFfg:hi:lL:pRvXx:z" and the long options), and creating dump files
        is refused until the dump engine lands. See docs/compat/makedumpfile.md.

        """;
}
