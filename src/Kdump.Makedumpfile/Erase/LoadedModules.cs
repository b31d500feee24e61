using Kdump.Formats.Elf;
using Kdump.Makedumpfile.Vmlinux;
using Kdump.Primitives;

namespace Kdump.Makedumpfile.Erase;

/// <summary>
/// The kernel modules loaded in the dump and their symbol tables, read through the vmlinux's DWARF
/// as makedumpfile's load_module_symbols does: the <c>modules</c> list, each module's name, its
/// core and init regions, and the kallsyms table its <c>symtab</c>/<c>num_symtab</c>/<c>strtab</c>
/// members point at (since Linux 4.5 those sit in <c>core_kallsyms</c>, found by search_member's
/// descent into named members; 6.4's <c>mem[]</c> array is upstream f23bb94). Symbol values are
/// the runtime addresses the kernel wrote there.
/// </summary>
internal sealed class LoadedModules
{
    /// <summary>MOD_NAME_LEN − 1: upstream copies at most this many characters of a name.</summary>
    private const int NameLimit = 63;

    /// <summary>Bound on the modules walked: a damaged list may loop without returning to its head.</summary>
    public const int MaxModules = 1 << 16;

    /// <summary>
    /// Bound on one module's core or init region (upstream has none): real ones are at most tens of
    /// MiB, and a capture kernel's memory is a few hundred.
    /// </summary>
    private const uint MaxRegionBytes = 256u << 20;

    /// <summary>Bound on a symbol name: KSYM_NAME_LEN (512) in the kernel; a string table without NULs stops here.</summary>
    private const int MaxNameBytes = 512;

    // enum mod_mem_type (include/linux/module.h, 6.4+): MOD_DATA holds the core kallsyms.
    private const int ModData = 1;
    private const int ModInitData = 5;

    /// <summary>The dump's byte order and word size: x86_64's (upstream takes the word size from the vmlinux's DWARF).</summary>
    private static readonly DataLayout s_dumpLayout = DataLayout.LittleEndian64;

    private readonly List<Module> _modules;

    private LoadedModules(List<Module> modules) => _modules = modules;

    /// <summary>One module: its name and its symbols in table order (entry 0 skipped; empty names null).</summary>
    public sealed record Module(string Name, IReadOnlyList<(string? Name, ulong Value)> Symbols)
    {
        /// <summary>find_module_symbol: the first entry of that name.</summary>
        public ulong? Find(string name)
        {
            foreach (var (n, v) in Symbols)
            {
                if (n == name) return v;
            }
            return null;
        }
    }

    public IReadOnlyList<Module> Modules => _modules;

    /// <summary>get_loaded_module: the first module of that name (exact: '-' and '_' differ).</summary>
    public Module? Find(string name) => _modules.Find(m => m.Name == name);

    /// <summary>The struct module layout load_module_symbols needs; null members are not in this kernel's DWARF.</summary>
    private readonly record struct Layout(long Size, long List, long Name, long Symtab, long NumSymtab, long Strtab,
        long CoreBase, long CoreSize, long InitBase, long InitSize, long ListNext);

    /// <summary>
    /// load_module_symbols. Null after upstream's messages when the list or a module cannot be read
    /// (upstream then fails the dump); an empty list is not an error here (no module can be named).
    /// </summary>
    /// <param name="dwarf">The vmlinux's DWARF.</param>
    /// <param name="head">The address of the <c>modules</c> list head (KASLR offset applied).</param>
    /// <param name="memory">readmem(VADDR).</param>
    /// <param name="error">ERRMSG.</param>
    /// <param name="debug">DEBUG_MSG (makedumpfile -D).</param>
    public static LoadedModules? Load(DebugInfoSearch dwarf, ulong head, EraseResolver.IKernelReader memory, Action<string, string> error, Action<string> debug)
    {
        ArgumentNullException.ThrowIfNull(dwarf);
        ArgumentNullException.ThrowIfNull(memory);
        var layout = ReadLayout(dwarf);
        // get_num_modules walks the list once before anything is read (zero modules is where
        // upstream stops the dump; here it only means no module section applies).
        var count = 0;
        for (var at = head; ; count++)
        {
            if (!ReadPointer(memory, unchecked(at + (ulong)layout.ListNext), out at))
            {
                error("get_num_modules", "Can't get next list_head.");
                error("load_module_symbols", "Can't get module count");
                return null;
            }
            if (at == head) break;
            if (count == MaxModules)
            {
                error("load_module_symbols", $"Can't get module count: more than {MaxModules} entries, the modules list is taken as looping.");
                return null;
            }
        }
        var modules = new List<Module>(count);
        ReadPointer(memory, unchecked(head + (ulong)layout.ListNext), out var cur);
        while (cur != head && modules.Count < count)
        {
            if (ReadModule(layout, unchecked(cur - (ulong)layout.List), memory, error, debug) is not { } module) return null;
            modules.Add(module);
            if (!ReadPointer(memory, unchecked(cur + (ulong)layout.ListNext), out cur))
            {
                error("load_module_symbols", "Can't get next list_head.");
                return null;
            }
        }
        return new LoadedModules(modules);
    }

    private static Layout ReadLayout(DebugInfoSearch d)
    {
        long core, coreSize, init, initSize;
        var memorySize = d.StructureSize("module_memory");
        if (memorySize != DebugInfoSearch.NotFound)
        {
            // Linux 6.4+ (ac3b43283923): struct module_memory mem[MOD_MEM_NUM_TYPES].
            var mem = d.MemberOffset("module", "mem");
            var b = d.MemberOffset("module_memory", "base");
            var s = d.MemberOffset("module_memory", "size");
            core = mem + (memorySize * ModData) + b;
            coreSize = mem + (memorySize * ModData) + s;
            init = mem + (memorySize * ModInitData) + b;
            initSize = mem + (memorySize * ModInitData) + s;
        }
        else
        {
            // module_core & co. until Linux 4.5 (7523e4dc5057), then core_layout/init_layout.
            core = Either(d, "module_core", "core_layout", "base");
            coreSize = Either(d, "core_size", "core_layout", "size");
            init = Either(d, "module_init", "init_layout", "base");
            initSize = Either(d, "init_size", "init_layout", "size");
        }
        return new Layout(d.StructureSize("module"), d.MemberOffset("module", "list"), d.MemberOffset("module", "name"),
            d.MemberOffset("module", "symtab"), d.MemberOffset("module", "num_symtab"), d.MemberOffset("module", "strtab"),
            core, coreSize, init, initSize, d.MemberOffset("list_head", "next"));
    }

    /// <summary>A struct module member, else the same field of its module_layout member (upstream adds the two offsets, found or not).</summary>
    private static long Either(DebugInfoSearch d, string member, string layout, string field)
    {
        var direct = d.MemberOffset("module", member);
        return direct != DebugInfoSearch.NotFound ? direct : d.MemberOffset("module", layout) + d.MemberOffset("module_layout", field);
    }

    /// <summary>__load_module_symbol.</summary>
    private static Module? ReadModule(in Layout l, ulong address, EraseResolver.IKernelReader memory, Action<string, string> error, Action<string> debug)
    {
        if (l.Size <= 0 || l.Size > MaxRegionBytes)
        {
            error("__load_module_symbol", "Failed to allocate buffer for module");
            return null;
        }
        var s = new byte[l.Size];
        if (!memory.TryRead(address, s))
        {
            error("__load_module_symbol", "Can't get module info.");
            return null;
        }
        var name = NulTerminated.Latin1(Field(s, l.Name, NameLimit));
        var initBase = Word(s, l.InitBase);
        var initSize = UInt(s, l.InitSize);
        var coreBase = Word(s, l.CoreBase);
        var coreSize = UInt(s, l.CoreSize);
        debug($"Module: {name}, Base: 0x{coreBase:x}, Size: {coreSize}\n");
        // Upstream reads both regions whole before it looks at the table: a module whose memory is
        // not in the dump fails here.
        byte[]? init = null;
        if (initSize > 0 && (init = ReadRegion(initBase, initSize, "module init", memory, error)) is null) return null;
        // readmem of nothing fails, as upstream's does.
        if (ReadRegion(coreBase, coreSize, "module", memory, error) is not { } core) return null;
        var count = UInt(s, l.NumSymtab);
        if (count == 0)
        {
            error("__load_module_symbol", $"{name}: Symbol info not available");
            return null;
        }
        debug($"num_sym: {(int)count}\n");
        var symtab = Word(s, l.Symtab);
        var strtab = Word(s, l.Strtab);
        if (Region(symtab, coreBase, core, initBase, init) is not { } symbols)
        {
            error("__load_module_symbol", $"{name}: module symtab is outside of module address space");
            return null;
        }
        if (Region(strtab, coreBase, core, initBase, init) is not { } strings)
        {
            error("__load_module_symbol", $"{name}: module strtab is outside of module address space");
            return null;
        }
        var table = new List<(string?, ulong)>();
        for (var i = 1u; i < count; i++)
        {
            // Upstream reads past its buffer when the table claims more entries than the region
            // holds; here such a table ends the module's symbols.
            var at = (long)i * ElfSymbol.FieldLocations.Elf64.Size;
            if (at + ElfSymbol.FieldLocations.Elf64.Size > symbols.Length) break;
            var (nameAt, value) = ElfSymbol.Read(symbols.Span.Slice((int)at, ElfSymbol.FieldLocations.Elf64.Size), s_dumpLayout);
            var symbol = nameAt < strings.Length ? NulTerminated.Latin1(strings.Span.Slice((int)nameAt, Math.Min(MaxNameBytes, strings.Length - (int)nameAt))) : "";
            table.Add((symbol.Length == 0 ? null : symbol, value));
            debug($"\t[{i}] {value:x} {symbol}\n");
        }
        return new Module(name, table);
    }

    /// <summary>IN_RANGE(address, base, size) in the core region, else the init region: the bytes from there on.</summary>
    private static ReadOnlyMemory<byte>? Region(ulong address, ulong coreBase, byte[] core, ulong initBase, byte[]? init)
    {
        if (address >= coreBase && address - coreBase < (ulong)core.Length) return core.AsMemory((int)(address - coreBase));
        if (init is not null && address >= initBase && address - initBase < (ulong)init.Length) return init.AsMemory((int)(address - initBase));
        return null;
    }

    /// <summary>A module region read whole (calloc and readmem), or null after upstream's message.</summary>
    private static byte[]? ReadRegion(ulong address, uint size, string what, EraseResolver.IKernelReader memory, Action<string, string> error)
    {
        byte[]? bytes = null;
        try
        {
            if (size <= MaxRegionBytes) bytes = new byte[size];
        }
        catch (OutOfMemoryException)
        {
        }
        if (bytes is null)
        {
            error("__load_module_symbol", $"Can't allocate memory for {what}");
            return null;
        }
        if (memory.TryRead(address, bytes)) return bytes;
        error("__load_module_symbol", $"Can't access {what} in memory.");
        return null;
    }

    private static bool ReadPointer(EraseResolver.IKernelReader memory, ulong address, out ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        var ok = memory.TryRead(address, b);
        value = ok ? new EndianReader(b, s_dumpLayout).Word(0) : 0;
        return ok;
    }

    private static ReadOnlySpan<byte> Field(byte[] s, long offset, int length) =>
        offset >= 0 && offset < s.Length ? s.AsSpan((int)offset, (int)Math.Min(length, s.Length - offset)) : [];

    // A member the DWARF lacks (offset −1) reads as 0: upstream reads before its buffer there.
    private static ulong Word(byte[] s, long offset)
    {
        var f = Field(s, offset, 8);
        return f.Length == 8 ? new EndianReader(f, s_dumpLayout).Word(0) : 0;
    }

    private static uint UInt(byte[] s, long offset)
    {
        var f = Field(s, offset, 4);
        return f.Length == 4 ? new EndianReader(f, s_dumpLayout).U32(0) : 0;
    }
}
