using System.Globalization;
using System.Text;
using Kdump.Cli;
using Kdump.Dump;
using Kdump.Makedumpfile.Vmlinux;
using Kdump.Memory;

namespace Kdump.Makedumpfile;

public static partial class MakedumpfileCommand
{
    /// <summary>upstream's WRONG_RELEASE: the -i file names another kernel than the dump's.</summary>
    private const int WrongRelease = 2;

    private sealed partial class Session
    {
        /// <summary>A VMCOREINFO file is a few KiB; a larger one is refused before it is read.</summary>
        private const int MaxVmcoreInfoFileBytes = 1 << 20;

        /// <summary>The exit code of a failed run: 1, or 2 when -i names another kernel (check_release).</summary>
        public int FailureCode { get; private set; } = 1;

        /// <summary>
        /// The VMCOREINFO texts as upstream reads them, for -D: with -i the file's, then the dump's
        /// note; with -x the note only (the rest comes from DWARF); null: the dump's own.
        /// </summary>
        private byte[][]? _vmcoreInfoTexts;

        /// <summary>
        /// The dump, opened with -x's (VMCOREINFO made from the vmlinux, the dump's note filling in
        /// what it lacks) or -i's VMCOREINFO when given (open_vmcoreinfo, read_vmcoreinfo_basic_info,
        /// find_kaslr_offsets); null after upstream's messages. <see cref="CheckRelease"/> follows.
        /// </summary>
        private IDump? OpenDumpWithVmcoreInfo(string vmcore)
        {
            if (Has('x'))
            {
                var generated = VmcoreInfoFromVmlinux();
                return generated is null ? null : OpenDumpMemory(vmcore, note =>
                {
                    _vmcoreInfoTexts = [note.ToArray()];
                    return VmcoreInfoMerge.WithNote(generated, note.Span, releaseFromPrimary: false);
                });
            }
            if (!_args.TryGetValue('i', out var name)) return OpenDumpMemory(vmcore);
            var text = ReadVmcoreInfoFile(name!);
            if (text is null) return null;
            return OpenDumpMemory(vmcore, note =>
            {
                _vmcoreInfoTexts = [text, note.ToArray()];
                return VmcoreInfoMerge.WithNote(Encoding.Latin1.GetString(text), note.Span, releaseFromPrimary: true);
            });
        }


        /// <summary>
        /// check_release, run by initial() whenever the dump has VMCOREINFO: with -i the release in
        /// memory must be the file's OSRELEASE, otherwise exit code 2, and an unreadable utsname
        /// ends the run as upstream's (exit 1); then get_kernel_version's warning for a kernel
        /// outside 1.7.8's range. Without -i, where memory holds no readable utsname, upstream
        /// ends the run without the warning; we go on (see DumpInput.ReadMemoryUtsName), without
        /// it too: the dump's own VMCOREINFO is not in doubt there.
        /// </summary>
        private bool CheckRelease(DumpInput input, string vmcore)
        {
            if (input.Info.IsEmpty) return true;
            string? release;
            if (_args.TryGetValue('i', out var name))
            {
                release = ReadUtsNameRelease(input);
                if (release is null) return false;
                if (release != input.Info.OsRelease)
                {
                    // Upstream names the file "(null)" here (it has freed the name); we name it.
                    ErrMsg("check_release", $"{name} and {vmcore} don't match.");
                    FailureCode = WrongRelease;
                    return false;
                }
            }
            else
            {
                release = input.ReadMemoryUtsName()?.Release;
            }
            if (release is not null) KernelVersionOf(release);
            return true;
        }

        /// <summary>
        /// check_release's readmem of the utsname, with its messages when that fails, as it does when
        /// the -i file is another kernel's (its page-table root is not this dump's); null then.
        /// </summary>
        private string? ReadUtsNameRelease(DumpInput input)
        {
            if (input.UtsNameAddress() is not { } address)
            {
                ErrMsg("check_release", "Can't get the symbol of system_utsname.");
                return null;
            }
            var bytes = new byte[Formats.Diskdump.DiskDumpHeader.UtsName.Size];
            if (!new KernelReader(input.Kernel, input.Dump is ElfDump ? null : input.Dump.Name, ErrMsg).TryRead(address.Value, bytes))
            {
                ErrMsg("check_release", "Can't get the address of system_utsname.");
                return null;
            }
            return Formats.Diskdump.DiskDumpHeader.UtsName.ReadCore(bytes).Release;
        }

        // makedumpfile 1.7.8's range (makedumpfile.h OLDEST_VERSION, LATEST_VERSION). The warning
        // keeps 1.7.8's bound although the lab checks our filter on a newer kernel (sid's 7.2): its
        // stdout stays 1.7.8's, and a kernel beyond the bound may still change struct page.
        private static readonly int OldestVersion = KernelVersion(2, 6, 15);
        private static readonly int LatestVersion = KernelVersion(6, 17, 4);

        /// <summary>get_kernel_version: the release's version, with upstream's warning outside the range.</summary>
        private int KernelVersionOf(string release)
        {
            var version = ParseKernelVersion(release);
            if (version < OldestVersion || version > LatestVersion)
            {
                Msg("The kernel version is not supported.\n");
                Msg("The makedumpfile operation may be incomplete.\n");
            }
            return version;
        }

        /// <summary>get_kernel_version: three numbers read as strtol does (each stops at the first non-digit).</summary>
        internal static int ParseKernelVersion(string release)
        {
            var parts = new long[3];
            var at = 0;
            for (var i = 0; i < 3; i++)
            {
                long v = 0;
                while (at < release.Length && char.IsAsciiDigit(release[at]) && v < 1_000_000) v = (v * 10) + (release[at++] - '0');
                parts[i] = v;
                at++; // the separator, whatever it is
            }
            return unchecked((int)((parts[0] << 24) | (parts[1] << 16) | parts[2]));
        }

        // KERNEL_VERSION(a, b, c) as makedumpfile.h defines it (KVER_MAJ_SHIFT 24, KVER_MIN_SHIFT 16).
        private static int KernelVersion(int major, int minor, int release) => (major << 24) | (minor << 16) | release;

        /// <summary>
        /// -i FILE: the text, after read_vmcoreinfo_basic_info's checks (an OSRELEASE line, a PAGESIZE
        /// that is a power of two, a CRASHTIME that is a non-zero number); null after the message.
        /// </summary>
        private byte[]? ReadVmcoreInfoFile(string name)
        {
            byte[] text;
            try
            {
                using var file = new FileStream(context.ResolvePath(name), FileMode.Open, FileAccess.Read);
                if (file.Length > MaxVmcoreInfoFileBytes)
                {
                    ErrMsg("read_vmcoreinfo_basic_info", $"{name} is {file.Length} bytes: a VMCOREINFO file is at most {MaxVmcoreInfoFileBytes}");
                    return null;
                }
                text = new byte[file.Length];
                file.ReadExactly(text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ErrMsg("open_vmcoreinfo", $"Can't open the vmcoreinfo file({name}). {IoErrorText.StrError(e)}");
                return null;
            }
            long pageSize = 0;
            var release = false;
            foreach (var line in Lines(text))
            {
                release |= line.StartsWith("OSRELEASE=", StringComparison.Ordinal);
                if (line.StartsWith("PAGESIZE=", StringComparison.Ordinal)
                    && (!TryStrtol(line["PAGESIZE=".Length..], out pageSize) || pageSize <= 0 || !long.IsPow2(pageSize)))
                {
                    ErrMsg("read_vmcoreinfo_basic_info", $"Invalid data in {name}: {line}");
                    return null;
                }
                if (line.StartsWith("CRASHTIME=", StringComparison.Ordinal)
                    && (!TryStrtol(line["CRASHTIME=".Length..], out var time) || time == 0))
                {
                    ErrMsg("read_vmcoreinfo_basic_info", $"Invalid data in {name}: {line}");
                    return null;
                }
            }
            if (!release || pageSize == 0)
            {
                ErrMsg("read_vmcoreinfo_basic_info", $"Invalid format in {name}");
                return null;
            }
            return text;
        }

        private static string[] Lines(byte[] text) => Encoding.Latin1.GetString(text).Split('\n');

        /// <summary>strtol base 10 with nothing after the number (leading blanks and a sign allowed).</summary>
        private static bool TryStrtol(string s, out long value) =>
            long.TryParse(s, NumberStyles.AllowLeadingWhite | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
