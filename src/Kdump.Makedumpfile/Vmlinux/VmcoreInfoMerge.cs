namespace Kdump.Makedumpfile.Vmlinux;

/// <summary>VMCOREINFO from a vmlinux (-x) or a file (-i) completed by the dump's own note, as initial() reads them.</summary>
internal static class VmcoreInfoMerge
{
    /// <summary>
    /// initial() with -x or -i: the vmlinux's (or the file's) values come first and the dump's
    /// VMCOREINFO note only fills what they lack (read_vmcoreinfo_from_vmcore's READ_* macros skip
    /// what is set). OSRELEASE and PAGESIZE are the file's with -i and the dump's with -x (which
    /// reads none). KERNELOFFSET is the dump's (find_kaslr_offsets), and the symbols move by it
    /// (SYMBOL_INIT, READ_SYMBOL with read_text_vmcoreinfo) unless the text has its own
    /// KERNELOFFSET: then it was taken from a running or dumped kernel and its symbols have
    /// moved already, where upstream would add the offset twice.
    /// </summary>
    public static ReadOnlyMemory<byte> WithNote(string primary, ReadOnlySpan<byte> note, bool releaseFromPrimary)
    {
        var noteLines = System.Text.Encoding.Latin1.GetString(note).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fromNote = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in noteLines) fromNote.TryAdd(Key(line), line);
        var primaryLines = primary.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ulong slide = 0;
        if (!primaryLines.Any(l => Key(l) == "KERNELOFFSET") && fromNote.TryGetValue("KERNELOFFSET", out var k))
            ulong.TryParse(k.AsSpan("KERNELOFFSET=".Length), System.Globalization.NumberStyles.AllowHexSpecifier, null, out slide);
        var merged = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in primaryLines)
        {
            var key = Key(line);
            if (!keys.Add(key)) continue;
            var dumpWins = key == "KERNELOFFSET" || (!releaseFromPrimary && key is "OSRELEASE" or "PAGESIZE");
            if (dumpWins && fromNote.TryGetValue(key, out var own)) merged.Add(own);
            else if (slide != 0 && key.StartsWith("SYMBOL(", StringComparison.Ordinal)
                     && ulong.TryParse(line.AsSpan(key.Length + 1), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var address))
                merged.Add($"{key}={unchecked(address + slide):x}");
            else merged.Add(line);
        }
        merged.AddRange(noteLines.Where(l => !keys.Contains(Key(l))));
        return System.Text.Encoding.Latin1.GetBytes(string.Concat(merged.Select(l => l + "\n")));

        static string Key(string line) => line.IndexOf('=') is var eq and >= 0 ? line[..eq] : line;
    }
}
