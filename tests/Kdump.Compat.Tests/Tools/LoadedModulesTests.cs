using System.Buffers.Binary;
using System.Text;
using Kdump.Formats.Dwarf;
using Kdump.Formats.Elf;
using Kdump.Makedumpfile.Erase;
using Kdump.Makedumpfile.Vmlinux;
using Kdump.Tests.Shared;

namespace Kdump.Compat.Tests.Tools;

/// <summary>
/// load_module_symbols over kernel memory made here: struct module as Linux 4.5–6.3 lays it out
/// (core_layout, core_kallsyms), compiled by gcc for its DWARF and offsets, and modules, symbol
/// tables and string tables written at made-up addresses — sound, then damaged. (The lab's real
/// vmcores are read in EraseModules.Compat.Tests.)
/// </summary>
public class LoadedModulesTests
{
    private const string Kernel = """
        #include <stddef.h>
        #include <stdio.h>
        struct list_head { struct list_head *next, *prev; };
        struct module_layout { void *base; unsigned int size; unsigned int text_size; };
        struct mod_kallsyms { void *symtab; unsigned int num_symtab; char *strtab; char *typetab; };
        struct module {
        	int state;
        	struct list_head list;
        	char name[56];
        	struct module_layout core_layout;
        	struct module_layout init_layout;
        	struct mod_kallsyms *kallsyms;
        	struct mod_kallsyms core_kallsyms;
        };
        struct list_head modules;
        struct module a_module;
        int main(void)
        {
        	printf("size=%zu\nlist=%zu\nname=%zu\ncore=%zu\ninit=%zu\nsymtab=%zu\nnum=%zu\nstrtab=%zu\n", sizeof(struct module),
        		offsetof(struct module, list), offsetof(struct module, name), offsetof(struct module, core_layout),
        		offsetof(struct module, init_layout), offsetof(struct module, core_kallsyms.symtab),
        		offsetof(struct module, core_kallsyms.num_symtab), offsetof(struct module, core_kallsyms.strtab));
        	return 0;
        }
        """;

    private static readonly Lazy<(DebugInfoSearch Dwarf, Dictionary<string, ulong> Offsets)> s_kernel = new(Compile);

    private static (DebugInfoSearch, Dictionary<string, ulong>) Compile()
    {
        var offsets = CProgram.Values(Kernel, "loaded-modules-offsets");
        using var scratch = Lab.Scratch("loaded-modules");
        var c = Path.Combine(scratch.Path, "k.c");
        var exe = Path.Combine(scratch.Path, "k");
        File.WriteAllText(c, Kernel);
        var cc = ExternalProcess.Run("gcc", ["-g", "-O0", "-no-pie", "-o", exe, c]);
        Assert.True(cc.ExitCode == 0, cc.Stderr);
        var dwarf = DwarfFile.Open(ElfObject.Parse(File.ReadAllBytes(exe), exe))!;
        return (new DebugInfoSearch(dwarf, [], [], (f, m) => Assert.Fail($"{f}: {m}")), offsets);
    }

    /// <summary>Kernel memory as a few regions; a read outside them fails, as readmem does.</summary>
    private sealed class Memory : EraseResolver.IKernelReader
    {
        public Dictionary<ulong, byte[]> Regions { get; } = [];

        public bool TryRead(ulong address, Span<byte> destination)
        {
            foreach (var (at, bytes) in Regions)
            {
                if (address >= at && address - at <= (ulong)bytes.Length && (ulong)bytes.Length - (address - at) >= (ulong)destination.Length)
                {
                    bytes.AsSpan((int)(address - at), destination.Length).CopyTo(destination);
                    return !destination.IsEmpty;
                }
            }
            return false;
        }

        public ulong? ToPhysical(ulong address) => null;
    }

    private const ulong Head = 0xffffffff82000000;

    /// <summary>One module at <paramref name="at"/> whose core region holds its symbol and string tables.</summary>
    private static byte[] Module(Dictionary<string, ulong> o, string name, ulong next, ulong prev, ulong core, uint coreSize, uint count, ulong symtab, ulong strtab)
    {
        var m = new byte[o["size"]];
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan((int)o["list"]), next);
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan((int)o["list"] + 8), prev);
        Encoding.ASCII.GetBytes(name).CopyTo(m.AsSpan((int)o["name"]));
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan((int)o["core"]), core);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan((int)o["core"] + 8), coreSize);
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan((int)o["symtab"]), symtab);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan((int)o["num"]), count);
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan((int)o["strtab"]), strtab);
        return m;
    }

    /// <summary>A core region: Elf64_Sym entries (0 unused) at 0, then "\0alpha\0\0beta\0" at 0x100.</summary>
    private static byte[] Core(params (uint Name, ulong Value)[] symbols)
    {
        var core = new byte[0x200];
        for (var i = 0; i < symbols.Length; i++)
        {
            var e = core.AsSpan((i + 1) * 24);
            BinaryPrimitives.WriteUInt32LittleEndian(e, symbols[i].Name);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], symbols[i].Value);
        }
        "\0alpha\0\0beta\0"u8.CopyTo(core.AsSpan(0x100));
        return core;
    }

    private static (LoadedModules? Modules, List<string> Errors, List<string> Debug) Load(Memory memory)
    {
        var (dwarf, _) = s_kernel.Value;
        var errors = new List<string>();
        var debug = new List<string>();
        var modules = LoadedModules.Load(dwarf, Head, memory, (f, m) => errors.Add($"{f}: {m}"), debug.Add);
        return (modules, errors, debug);
    }

    private static void WriteHead(Memory memory, ulong first, ulong last)
    {
        var head = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(head, first);
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(8), last);
        memory.Regions[Head] = head;
    }

    private const ulong ModA = 0xffffffffc0001000, ModB = 0xffffffffc0002000, CoreA = 0xffffffffc0010000, CoreB = 0xffffffffc0020000;

    private static Memory TwoModules(uint countB = 3, ulong symtabB = CoreB, ulong strtabB = CoreB + 0x100)
    {
        var o = s_kernel.Value.Offsets;
        var memory = new Memory();
        var list = o["list"];
        WriteHead(memory, ModA + list, ModB + list);
        memory.Regions[ModA] = Module(o, "alpha_mod", ModB + list, Head, CoreA, 0x200, 3, CoreA, CoreA + 0x100);
        memory.Regions[ModB] = Module(o, "beta_mod", Head, ModA + list, CoreB, 0x200, countB, symtabB, strtabB);
        memory.Regions[CoreA] = Core((1, 0xffffffffc0010040), (7, 0xffffffffc0010080));
        memory.Regions[CoreB] = Core((8, 0xffffffffc0020040), (0, 0xffffffffc0020080));
        return memory;
    }

    [Fact]
    public void The_modules_list_gives_each_module_and_its_symbol_table_in_order()
    {
        var (modules, errors, debug) = Load(TwoModules());
        Assert.Empty(errors);
        Assert.Equal(["alpha_mod", "beta_mod"], modules!.Modules.Select(m => m.Name));
        Assert.Equal([("alpha", 0xffffffffc0010040UL), ((string?)null, 0xffffffffc0010080UL)], modules.Find("alpha_mod")!.Symbols);
        Assert.Equal(0xffffffffc0020040UL, modules.Find("beta_mod")!.Find("beta"));
        Assert.Null(modules.Find("beta-mod"));
        Assert.Equal("Module: alpha_mod, Base: 0xffffffffc0010000, Size: 512\n", debug[0]);
        Assert.Equal("num_sym: 3\n", debug[1]);
        Assert.Equal("\t[1] ffffffffc0010040 alpha\n", debug[2]);
    }

    [Fact]
    public void A_list_that_never_returns_to_its_head_is_refused()
    {
        var memory = TwoModules();
        var o = s_kernel.Value.Offsets;
        // beta_mod's next leads back to alpha_mod, not to the head.
        memory.Regions[ModB] = Module(o, "beta_mod", ModA + o["list"], ModA + o["list"], CoreB, 0x200, 3, CoreB, CoreB + 0x100);
        var (modules, errors, _) = Load(memory);
        Assert.Null(modules);
        Assert.Equal([$"load_module_symbols: Can't get module count: more than {LoadedModules.MaxModules} entries, the modules list is taken as looping."], errors);
    }

    [Fact]
    public void An_unreadable_list_entry_fails_with_upstreams_messages()
    {
        var memory = TwoModules();
        memory.Regions.Remove(ModB);
        var (modules, errors, _) = Load(memory);
        Assert.Null(modules);
        Assert.Equal(["get_num_modules: Can't get next list_head.", "load_module_symbols: Can't get module count"], errors);
    }

    [Fact]
    public void Damaged_tables_are_reported_and_bounded()
    {
        Assert.Equal(["__load_module_symbol: beta_mod: Symbol info not available"], Load(TwoModules(countB: 0)).Errors);
        Assert.Equal(["__load_module_symbol: beta_mod: module symtab is outside of module address space"], Load(TwoModules(symtabB: 0xffffffffc0030000)).Errors);
        Assert.Equal(["__load_module_symbol: beta_mod: module strtab is outside of module address space"], Load(TwoModules(strtabB: CoreB + 0x200)).Errors);
        // More entries than the region holds: the table ends with the region (upstream reads past its buffer).
        var (modules, errors, _) = Load(TwoModules(countB: 1_000_000));
        Assert.Empty(errors);
        Assert.Equal((0x200 / 24) - 1, modules!.Find("beta_mod")!.Symbols.Count);
        // A name offset past the string table reads as no name.
        var memory = TwoModules();
        memory.Regions[CoreB] = Core((0xfffffff0, 1));
        Assert.Null(Load(memory).Modules!.Find("beta_mod")!.Symbols[0].Name);
        // A core region that is not in the dump.
        var gone = TwoModules();
        gone.Regions.Remove(CoreB);
        Assert.Equal(["__load_module_symbol: Can't access module in memory."], Load(gone).Errors);
    }
}
