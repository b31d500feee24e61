using System.Globalization;
using System.Security.Cryptography;
using Kdump.Tests.Shared;

namespace Kdump.Formats.Tests;

/// <summary>
/// libkdumpfile 0.5.1 (Debian's python3-libkdumpfile, run with /usr/bin/python3) as an
/// independent reader: it returns the VMCOREINFO bytes and a SHA-256 per physical page.
/// </summary>
internal static class LibKdumpfile
{
    private const string Script = """
        import sys, hashlib, kdumpfile
        k = kdumpfile.kdumpfile(sys.argv[1])
        size = int(sys.argv[2])
        try:
            raw = bytes(k.attr['linux.vmcoreinfo.raw'])
        except Exception:
            raw = b''
        print('vmcoreinfo ' + raw.hex())
        for a in sys.argv[3:]:
            addr = int(a, 16)
            try:
                data = k.read(kdumpfile.KDUMP_MACHPHYSADDR, addr, size)
                print('page %x %s' % (addr, hashlib.sha256(bytes(data)).hexdigest()))
            except Exception as e:
                print('page %x %s' % (addr, type(e).__name__))
        """;

    public sealed record Result(byte[] VmcoreInfo, IReadOnlyDictionary<ulong, string> PageHashes);

    public static Result Read(string path, int size, IEnumerable<ulong> addresses)
    {
        var python = Lab.SystemTool("/usr/bin/python3");
        // The script as an argument: a file under /tmp named by PID was left behind, and tests of one run shared it.
        var args = new List<string> { "-c", Script, path, size.ToString(CultureInfo.InvariantCulture) };
        args.AddRange(addresses.Select(a => a.ToString("x", CultureInfo.InvariantCulture)));
        var r = ExternalProcess.Run(python, args, TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, $"libkdumpfile failed on {path}: {r.Stderr}");
        byte[] vmcoreinfo = [];
        var pages = new Dictionary<ulong, string>();
        foreach (var line in System.Text.Encoding.ASCII.GetString(r.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (parts[0] == "vmcoreinfo") vmcoreinfo = parts.Length > 1 ? Convert.FromHexString(parts[1]) : [];
            else pages[ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = parts[2];
        }
        return new Result(vmcoreinfo, pages);
    }

    public static string Hash(ReadOnlySpan<byte> data) => Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant();
}
