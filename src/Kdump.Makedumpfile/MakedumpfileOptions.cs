using Kdump.Cli;

namespace Kdump.Makedumpfile;

/// <summary>makedumpfile 1.7.8's command line: its getopt string and long-option table (makedumpfile.c:main).</summary>
public static class MakedumpfileOptions
{
    public const string ShortOptions = "b:cDd:eEFfg:hi:lL:pRvXx:z";

    // Private ids for long-only options, above the char range like upstream's OPT_* values.
    public const int Split = 256, Reassemble = 257, XenSyms = 258, XenVmcoreinfo = 259, XenPhysStart = 260,
        MessageLevel = 261, Vtop = 262, DumpDmesg = 263, PartialDmesg = 264, Config = 265, Diskset = 266,
        CyclicBuffer = 267, Eppic = 268, NonMmap = 269, MemUsage = 270, SplitblockSize = 271, WorkDir = 272,
        NumThreads = 273, CheckParams = 274, DryRun = 275, ShowStats = 276;

    public static IReadOnlyList<LongOption> LongOptions { get; } =
    [
        new("split", ArgumentKind.None, Split),
        new("reassemble", ArgumentKind.None, Reassemble),
        new("xen-syms", ArgumentKind.Required, XenSyms),
        new("xen-vmcoreinfo", ArgumentKind.Required, XenVmcoreinfo),
        new("xen_phys_start", ArgumentKind.Required, XenPhysStart),
        new("message-level", ArgumentKind.Required, MessageLevel),
        new("vtop", ArgumentKind.Required, Vtop),
        new("dump-dmesg", ArgumentKind.None, DumpDmesg),
        new("partial-dmesg", ArgumentKind.None, PartialDmesg),
        new("config", ArgumentKind.Required, Config),
        new("help", ArgumentKind.None, 'h'),
        new("diskset", ArgumentKind.Required, Diskset),
        new("cyclic-buffer", ArgumentKind.Required, CyclicBuffer),
        new("eppic", ArgumentKind.Required, Eppic),
        new("non-mmap", ArgumentKind.None, NonMmap),
        new("mem-usage", ArgumentKind.None, MemUsage),
        new("splitblock-size", ArgumentKind.Required, SplitblockSize),
        new("work-dir", ArgumentKind.Required, WorkDir),
        new("num-threads", ArgumentKind.Required, NumThreads),
        new("check-params", ArgumentKind.None, CheckParams),
        new("dry-run", ArgumentKind.None, DryRun),
        new("show-stats", ArgumentKind.None, ShowStats),
    ];

    public static Getopt Parser { get; } = new(ShortOptions, LongOptions);
}
