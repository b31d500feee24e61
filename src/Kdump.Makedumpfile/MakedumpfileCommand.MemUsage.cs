using System.Globalization;
using Kdump.Cli;
using Kdump.Dump;
using Kdump.Kernel.Pages;
using Kdump.Linux;
using Kdump.Memory;
using Kdump.Primitives.Errors;

namespace Kdump.Makedumpfile;

public static partial class MakedumpfileCommand
{
    private sealed partial class Session
    {
        /// <summary>--mem-usage was given: upstream's epilogue then never prints "makedumpfile Completed.", whatever ran.</summary>
        public bool MemUsageGiven => Has(MakedumpfileOptions.MemUsage);

        /// <summary>
        /// --mem-usage /proc/kcore (show_mem_usage): the running system's pages per category at dump
        /// level 31, zero pages found by reading them, from the first kernel. Linux v4.11+ (p_paddr
        /// in /proc/kcore) unless -f, v4.19+ for the VMCOREINFO note (commit 23c85094fe18), and a
        /// crash kernel reservation.
        /// </summary>
        private bool MemUsage(IReadOnlyList<string> operands)
        {
            var version = RunningKernelVersion();
            if (version is null) return false;
            if (version < KernelVersion(4, 11, 0) && !Has('f'))
            {
                Msg("mem-usage not supported for this kernel.\n");
                Msg("You can try with -f if your kernel's kcore has valid p_paddr\n");
                return false;
            }
            // Only a gate, as upstream (see DumpInput.OpenKcore): its pages stay in the counts.
            var reserved = IsCrashKernelReserved();
            if (reserved is null) return false;
            if (reserved == false)
            {
                ErrMsg("show_mem_usage", "No memory is reserved for crashkernel!");
                return false;
            }

            var name = operands[0];
            var dump = OpenDumpMemory(name);
            if (dump is null) return false;
            DumpReport report;
            int pageSize;
            using (dump)
            {
                if (dump is not ElfDump kcore)
                {
                    ErrMsg("show_mem_usage", $"{name} is {dump.FormatName}, not /proc/kcore (ELF)");
                    return false;
                }
                if (kcore.VmcoreInfo.IsEmpty)
                {
                    ErrMsg("show_mem_usage", $"{name} has no VMCOREINFO note (Linux v4.19 and later have it in /proc/kcore); this build does not read /sys/kernel/vmcoreinfo");
                    return false;
                }
                try
                {
                    var input = DumpInput.OpenKcore(kcore);
                    var filter = PageFilterFactory.Create(input, DumpLevel.All, text => context.Error.Write(text.EndsWith('\n') ? text : text + "\n"), runningKernel: true);
                    report = PageCensus.Take(input, filter);
                    pageSize = input.PageSize;
                }
                catch (KdumpException e)
                {
                    ErrMsg("show_mem_usage", e.Message);
                    return false;
                }
                catch (IOException e)
                {
                    ErrMsg("show_mem_usage", $"Can't read {name}. {IoErrorText.StrError(e)}");
                    return false;
                }
                catch (Exception e) when (e is OverflowException or InvalidOperationException or NotSupportedException)
                {
                    // Checked arithmetic on hostile headers, a layout we do not read: a message, never a trace.
                    ErrMsg("show_mem_usage", e.Message);
                    return false;
                }
            }
            PrintMemUsage(report, (ulong)pageSize);
            return true;
        }

        /// <summary>print_mem_usage.</summary>
        private void PrintMemUsage(DumpReport report, ulong pageSize)
        {
            var c = report.Counts;
            var original = report.Pfns.OriginalPages;
            var kernelData = unchecked(original - c.Excluded);
            string Row(string type, ulong pages, string excludable, string description) =>
                string.Create(CultureInfo.InvariantCulture, $"{type}\t{pages,-16}\t{excludable}\t\t{description}\n");
            Msg("\n");
            Msg("TYPE\t\tPAGES\t\t\tEXCLUDABLE\tDESCRIPTION\n");
            Msg("----------------------------------------------------------------------\n");
            Msg(Row("ZERO\t", c[PageCategory.Zero], "yes", "Pages filled with zero"));
            Msg(Row("NON_PRI_CACHE", c[PageCategory.NonPrivateCache], "yes", "Cache pages without private flag"));
            Msg(Row("PRI_CACHE", c[PageCategory.PrivateCache], "yes", "Cache pages with private flag"));
            Msg(Row("USER\t", c[PageCategory.User], "yes", "User process pages"));
            Msg(Row("FREE\t", c[PageCategory.Free], "yes", "Free pages"));
            Msg(Row("KERN_DATA", kernelData, "no", "Dumpable kernel data "));
            Msg("\n");
            Msg(string.Create(CultureInfo.InvariantCulture, $"page size:\t\t{pageSize,-16}\n"));
            Msg(string.Create(CultureInfo.InvariantCulture, $"Total pages on system:\t{original,-16}\n"));
            Msg(string.Create(CultureInfo.InvariantCulture, $"Total size on system:\t{original * pageSize,-16} Byte\n"));
        }

        /// <summary>populate_kernel_version: uname's release, with 1.7.8's warning outside its supported range.</summary>
        private int? RunningKernelVersion()
        {
            string release;
            try
            {
                release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("populate_kernel_version", $"Cannot get name and information about current kernel : {IoErrorText.StrError(e)}");
                return null;
            }
            return KernelVersionOf(release);
        }

        /// <summary>
        /// is_crashkernel_mem_reserved: a line of /proc/iomem named "Crash kernel", at any depth and
        /// whatever its addresses (an unprivileged reader sees zeros; then opening /proc/kcore is
        /// what fails, as upstream); null after a message.
        /// </summary>
        private bool? IsCrashKernelReserved()
        {
            try
            {
                return IomemLines.ReadLenient(File.ReadAllText("/proc/iomem")).Any(r => r.Name == IomemLines.CrashKernel);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("is_crashkernel_mem_reserved", $"Can't open /proc/iomem. {IoErrorText.StrError(e)}");
            }
            return null;
        }
    }
}
