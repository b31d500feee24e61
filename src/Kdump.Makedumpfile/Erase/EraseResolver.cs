using Kdump.Dump;
using Kdump.Makedumpfile.Vmlinux;
using Kdump.Primitives;
using TypeFlags = Kdump.Makedumpfile.Vmlinux.DebugInfoSearch.BaseTypeFlags;

namespace Kdump.Makedumpfile.Erase;

/// <summary>
/// Turns erase commands into physical ranges (process_config): symbols from the vmlinux, types and
/// members from its DWARF, pointers and list links read from the dump. The answers, and which
/// failures stay silent, are makedumpfile 1.7.8's: a command that cannot be resolved is reported
/// (or not) and skipped, and the dump goes on.
/// </summary>
internal sealed class EraseResolver(
    IReadOnlyDictionary<string, ulong> symbols,
    DebugInfoSearch dwarf,
    EraseResolver.IKernelReader memory,
    ulong kaslrOffset,
    ulong kernelImageSize,
    Action<string, string> error,
    EraseList? ranges = null)
{
    /// <summary>Bound on list walks: a damaged dump may link a list into a loop that skips its head (upstream walks it for ever).</summary>
    public const int MaxListElements = 1 << 20;

    /// <summary>Bound on array lengths from the DWARF: far above any kernel array a filter walks.</summary>
    public const long MaxArrayLength = 1 << 24;

    // The DWARF answers do not change: each (struct, member) is looked up once, not once per loop iteration.
    private readonly Dictionary<(string, string), (long Offset, DebugInfoSearch.BaseType? Type, long Length)> _members = [];

    private const int PointerSize = 8;
    private const int StringLimit = 1024;   // BUFSIZE: get_strlen's upper bound
    private const ulong StartKernelMap = 0xffffffff80000000;
    private const ulong NotPhysical = ulong.MaxValue;

    /// <summary>Kernel-virtual reads of the dump (readmem(VADDR)) and vaddr_to_paddr.</summary>
    public interface IKernelReader
    {
        bool TryRead(ulong address, Span<byte> destination);

        ulong? ToPhysical(ulong address);
    }

    /// <summary>Where resolved commands go: shared by the resolvers of a config's sections, in command order.</summary>
    public EraseList Ranges { get; } = ranges ?? new();

    /// <summary>
    /// Indexes, in two passes over the DWARF, the names the commands start from and the types of
    /// those symbols: each name looked up later costs a pass of its own.
    /// </summary>
    public void Prepare(IReadOnlyList<ConfigCommand> commands)
    {
        var heads = new HashSet<string>(StringComparer.Ordinal) { "list_head" };
        foreach (var c in commands)
        {
            foreach (var (filter, size) in c.Filters)
            {
                if (filter.Name is { } f) heads.Add(f);
                if (size?.Name is { } s) heads.Add(s);
            }
            if (c.List?.Name is { } l) heads.Add(l);
            if (c.Iteration?.TypeName is { } t) heads.Add(t);
        }
        dwarf.Require(heads);
        dwarf.Require(heads.Select(h => dwarf.SymbolType(h)?.Name).OfType<string>().ToList());
    }

    /// <summary>process_config for one command.</summary>
    public void Process(ConfigCommand config)
    {
        if (config.List is null)
        {
            Update(config.Filters[0].Filter, config.Filters[0].Size);
            return;
        }
        if (!ResolveList(config.List, 0, null, out var typeName, out var typeFlags)) return;
        if (!InitializeIteration(config.Iteration!, typeName, typeFlags)) return;
        var iterations = 0;
        var isArray = (typeFlags & TypeFlags.Array) != 0;
        while (!ListEmpty(config.List, config.Iteration!))
        {
            if (!isArray && ++iterations > MaxListElements)
            {
                error("process_config", $"Config error at {config.List.Line}: more than {MaxListElements} list elements; the list is taken as looping and left there.");
                return;
            }
            foreach (var (filter, size) in config.Filters) Update(filter, size);
        }
    }

    private static bool IsVoid(ConfigEntry ce) => ce.TypeName == "void";

    /// <summary>resolve_config_entry.</summary>
    private bool Resolve(ConfigEntry ce, ulong baseAddress, string? baseStruct)
    {
        if (ce.Has(EntryFlags.Symbol))
        {
            if (ce.Name is null) return false;
            var address = symbols.GetValueOrDefault(ce.Name);
            if (address == 0)
            {
                error("resolve_config_entry", $"Config error at {ce.Line}: Can't find symbol '{ce.Name}'.");
                return false;
            }
            ce.SymbolAddress = unchecked(address + KaslrOffset(address));
            var type = dwarf.SymbolType(ce.Name);
            ce.TypeName = type?.Name;
            ce.Size = type?.Size ?? DebugInfoSearch.NotFound;
            ce.TypeFlags = type?.Flags ?? TypeFlags.None;
            if ((ce.TypeFlags & TypeFlags.Array) != 0) ce.ArrayLength = ArrayLength(ce, dwarf.SymbolArrayLength(ce.Name));
        }
        else if (ce.Has(EntryFlags.Variable))
        {
            // The iteration variable: what the loop put in the entry it refers to.
            var from = ce.ReferTo!;
            ce.Address = from.Address;
            ce.SymbolAddress = from.SymbolAddress;
            ce.Size = from.Size;
            ce.TypeFlags = from.TypeFlags;
            ce.TypeName ??= from.TypeName;
            if (ce.Next is { } n) n.Flags &= ~EntryFlags.Resolved;
            return true;
        }
        else
        {
            if (baseStruct is null || ce.Name is null) return false;
            if (!_members.TryGetValue((baseStruct, ce.Name), out var member))
            {
                // Upstream's order (offset, then type): with damaged DWARF their messages come in it.
                var offset = dwarf.MemberOffset(baseStruct, ce.Name);
                var t = dwarf.MemberType(baseStruct, ce.Name);
                member = (offset, t,
                    t is { } a && (a.Flags & TypeFlags.Array) != 0 ? dwarf.MemberArrayLength(baseStruct, ce.Name) : 0);
                _members.Add((baseStruct, ce.Name), member);
            }
            ce.Offset = member.Offset;
            ce.SymbolAddress = unchecked(baseAddress + (ulong)ce.Offset);
            // get_member_type_name leaves size and flags as they were when it finds nothing.
            var type = member.Type;
            ce.TypeName = type?.Name;
            if (type is { } t2)
            {
                ce.Size = t2.Size;
                ce.TypeFlags = t2.Flags;
            }
            if ((ce.TypeFlags & TypeFlags.Array) != 0)
                ce.ArrayLength = ArrayLength(ce, type is { } m && (m.Flags & TypeFlags.Array) != 0 ? member.Length : dwarf.MemberArrayLength(baseStruct, ce.Name));
        }
        if (ce.TypeName is null)
        {
            if (!ce.Has(EntryFlags.Symbol))
                error("resolve_config_entry", $"Config error at {ce.Line}: struct '{baseStruct}' has no member with name '{ce.Name}'.");
            return false;
        }
        if (ce.TypeName == "list_head")
        {
            ce.TypeFlags |= TypeFlags.ListHead;
            if (ce.Has(EntryFlags.List) && ce.Next is { } traversal)
            {
                if (traversal.Next is not null)
                {
                    error("resolve_config_entry", $"Config error at {ce.Line}: Only one traversal entry is allowed for list_head type LIST entry");
                    return false;
                }
                traversal.Flags |= EntryFlags.Traversal;
            }
        }
        ce.Address = ce.SymbolAddress;
        if (ce.Size < 0) ce.Size = 0;
        if (ce.Has(EntryFlags.List) && ce.Next is null)
        {
            // The list itself: an array, a struct pointer followed by a member, or a list_head.
            if ((ce.TypeFlags & (TypeFlags.Base | TypeFlags.Array)) == TypeFlags.Base && !IsVoid(ce)) return false;
            if ((ce.TypeFlags & TypeFlags.ListHead) != 0 || (ce.TypeFlags & (TypeFlags.Struct | TypeFlags.Array)) == TypeFlags.Struct)
            {
                if (!ce.Has(EntryFlags.Traversal))
                    ce.Next = new ConfigEntry { Name = "next", Line = ce.Line, Flags = EntryFlags.List | EntryFlags.Traversal };
            }
            if (ce.Has(EntryFlags.Traversal) && baseStruct != ce.TypeName) return false;
        }
        if ((ce.TypeFlags & (TypeFlags.Array | TypeFlags.Pointer)) == TypeFlags.Pointer)
        {
            ce.Address = ReadPointer(ce.SymbolAddress);
            // Data behind a 'void *' has no size: the command needs 'size' or 'nullify'.
            if (IsVoid(ce)) ce.Size = 0;
        }
        if ((ce.TypeFlags & (TypeFlags.Base | TypeFlags.Pointer | TypeFlags.Array)) == (TypeFlags.Base | TypeFlags.Pointer) && ce.TypeName == "char")
            ce.Size = StringLength(ce.Address);
        if (ce.Next is null && ce.Has(EntryFlags.Size))
        {
            // The size argument's value: an integer read from the dump.
            if ((ce.TypeFlags & (TypeFlags.Array | TypeFlags.Base)) != TypeFlags.Base || ce.Size > sizeof(long))
            {
                error("resolve_config_entry", $"Config error at {ce.Line}: size symbol/member '{ce.Name}' is not of base type.");
                return false;
            }
            Span<byte> value = stackalloc byte[(int)ce.Size];
            if (!memory.TryRead(ce.Address, value))
            {
                error("resolve_config_entry", "Can't read symbol/member data value");
                return false;
            }
            ce.Size = value.Length switch
            {
                1 => value[0],
                2 => BitConverter.ToUInt16(value),
                4 => BitConverter.ToUInt32(value),
                8 => BitConverter.ToInt64(value),
                _ => ce.Size,
            };
        }
        ce.Flags |= EntryFlags.Resolved;
        if (ce.Next is { } next) next.Flags &= ~EntryFlags.Resolved;
        return true;
    }

    /// <summary>A length from the DWARF: a negative one (not found) counts as 0, as upstream; one past <see cref="MaxArrayLength"/> is cut there, with a message.</summary>
    private long ArrayLength(ConfigEntry ce, long length)
    {
        if (length <= MaxArrayLength) return Math.Max(0, length);
        error("resolve_config_entry", $"Config error at {ce.Line}: '{ce.Name}' is an array of {length} elements; only the first {MaxArrayLength} are taken.");
        return MaxArrayLength;
    }

    /// <summary>get_kaslr_offset_x86_64: only kernel-image addresses move.</summary>
    private ulong KaslrOffset(ulong address) =>
        kaslrOffset != 0 && address >= StartKernelMap && address - StartKernelMap < kernelImageSize ? kaslrOffset : 0;

    private ulong ReadPointer(ulong address)
    {
        Span<byte> v = stackalloc byte[PointerSize];
        if (memory.TryRead(address, v)) return BitConverter.ToUInt64(v);
        error("read_pointer_value", "Can't read pointer value");
        return 0;
    }

    /// <summary>get_strlen: the string's length within 1024 bytes, 0 when those bytes cannot all be read.</summary>
    private long StringLength(ulong address)
    {
        Span<byte> buffer = stackalloc byte[StringLimit];
        if (!memory.TryRead(address, buffer)) return 0;
        return NulTerminated.Bytes(buffer).Length;
    }

    /// <summary>get_config_symbol_addr: the address the expression names (the pointer's own address with nullify).</summary>
    private ulong SymbolAddress(ConfigEntry ce, ulong baseAddress, string? baseStruct)
    {
        for (var depth = 0; ; depth++)
        {
            if (!ce.Has(EntryFlags.Resolved) && !Resolve(ce, baseAddress, baseStruct)) return 0;
            if (ce.Next is { } next && ce.Address != 0)
            {
                next.Nullify = ce.Nullify;
                (baseAddress, baseStruct, ce) = (ce.Address, ce.TypeName, next);
                continue;
            }
            if (ce.Next is null && ce.Nullify) return (ce.TypeFlags & TypeFlags.Pointer) != 0 ? ce.SymbolAddress : 0;
            return ce.Address;
        }
    }

    /// <summary>get_config_symbol_size: the size of what the expression names (arrays: length × element).</summary>
    private long SymbolSize(ConfigEntry ce, ulong baseAddress, string? baseStruct)
    {
        while (true)
        {
            if (!ce.Has(EntryFlags.Resolved) && !Resolve(ce, baseAddress, baseStruct)) return 0;
            if (ce.Next is { } next && ce.Address != 0)
            {
                (baseAddress, baseStruct, ce) = (ce.Address, ce.TypeName, next);
                continue;
            }
            if ((ce.TypeFlags & TypeFlags.Array) != 0)
                return unchecked(ce.ArrayLength * ((ce.TypeFlags & TypeFlags.Pointer) != 0 ? PointerSize : ce.Size));
            return ce.Size;
        }
    }

    /// <summary>update_filter_info: one range for one erase command.</summary>
    private void Update(ConfigEntry filter, ConfigEntry? size)
    {
        var address = SymbolAddress(filter, 0, null);
        if (address == 0) return;
        var bytes = filter.Nullify ? PointerSize : size is not null ? SymbolSize(size, 0, null) : SymbolSize(filter, 0, null);
        if (bytes <= 0) return;
        filter.Command ??= new EraseList.Command(filter.Expression!);
        Ranges.Add(memory.ToPhysical(address) ?? NotPhysical, bytes, filter.Nullify, filter.Command);
    }

    // ---- loops ----------------------------------------------------------------------------------

    /// <summary>resolve_list_entry: resolves the list expression; its last entry's type is the element type.</summary>
    private bool ResolveList(ConfigEntry ce, ulong baseAddress, string? baseStruct, out string? typeName, out TypeFlags typeFlags)
    {
        typeName = null;
        typeFlags = TypeFlags.None;
        while (true)
        {
            if (!ce.Has(EntryFlags.Resolved) && !Resolve(ce, baseAddress, baseStruct)) return false;
            if (ce.Next is { } via && via.Has(EntryFlags.Traversal) && (ce.TypeFlags & TypeFlags.Array) != 0)
            {
                error("resolve_list_entry", $"Warning: line {via.Line}: 'via' keyword not required for ArrayVar.");
                ce.Next = null;
            }
            if ((ce.TypeFlags & TypeFlags.ListHead) != 0 && ce.Next is { } t && t.Has(EntryFlags.Traversal))
                t.StopAddress = ce.SymbolAddress;   // back at the head: the list is done
            if (ce.Next is { } next && ce.Address != 0)
            {
                (baseAddress, baseStruct, ce) = (ce.Address, ce.TypeName, next);
                continue;
            }
            ce.Index = 0;
            typeName = ce.TypeName;
            typeFlags = ce.TypeFlags;
            return true;
        }
    }

    /// <summary>initialize_iteration_entry: the loop variable takes the element type (a list_head's container with 'within').</summary>
    private bool InitializeIteration(ConfigEntry ie, string? typeName, TypeFlags typeFlags)
    {
        if ((typeFlags & TypeFlags.ListHead) != 0)
        {
            if (ie.TypeName is null)
            {
                error("initialize_iteration_entry", $"Config error at {ie.Line}: Use 'within' keyword to specify StructName:ListHeadMember.");
                return false;
            }
            // Without ':member' the list_head member is called 'list'.
            ie.Next ??= new ConfigEntry { Name = "list", Line = ie.Line, Flags = EntryFlags.Iteration };
            ie.Size = dwarf.StructureSize(ie.TypeName);
            if (ie.Size == DebugInfoSearch.NotFound)
            {
                error("initialize_iteration_entry", $"Config error at {ie.Line}: Can't find structure: {ie.TypeName}.");
                return false;
            }
            if (!Resolve(ie.Next, 0, ie.TypeName)) return false;
            if (ie.Next.TypeName != "list_head")
            {
                error("initialize_iteration_entry", $"Config error at {ie.Next.Line}: Member '{ie.Next.Name}' is not of 'list_head' type.");
                return false;
            }
            ie.TypeFlags = TypeFlags.Struct;
            return true;
        }
        if (ie.TypeName is not null)
        {
            error("initialize_iteration_entry", $"Warning: line {ie.Line}: 'within' keyword not required for ArrayVar/StructVar.");
            ie.Next = null;
        }
        ie.TypeName = typeName;
        ie.TypeFlags = typeFlags & ~TypeFlags.Array;
        return true;
    }

    /// <summary>list_entry_empty: moves the loop variable to the next element; true when there is none.</summary>
    private bool ListEmpty(ConfigEntry list, ConfigEntry ie)
    {
        var element = new ConfigEntry();
        if (!NextListEntry(list, 0, null, element)) return true;
        if (ie.Next is { } hook)
        {
            hook.Address = element.Address;
            ie.Address = unchecked(element.Address - (ulong)hook.Offset);
        }
        else
        {
            ie.Address = element.Address;
            ie.SymbolAddress = element.SymbolAddress;
            ie.Size = element.Size;
        }
        return false;
    }

    /// <summary>get_next_list_entry: the next array element, or the next struct along the list.</summary>
    private bool NextListEntry(ConfigEntry ce, ulong baseAddress, string? baseStruct, ConfigEntry element)
    {
        while (true)
        {
            if (!ce.Has(EntryFlags.List)) return false;
            if (!ce.Has(EntryFlags.Resolved) && !Resolve(ce, baseAddress, baseStruct)) return false;
            if (ce.Next is null)
            {
                if ((ce.TypeFlags & TypeFlags.Array) != 0)
                {
                    if (ce.Index == ce.ArrayLength) return false;
                    if ((ce.TypeFlags & TypeFlags.Pointer) != 0)
                    {
                        // An array of pointers may hold NULLs: go on to the next one set.
                        ulong value = 0;
                        while (ce.Index < ce.ArrayLength)
                        {
                            value = ReadPointer(unchecked(ce.Address + (ulong)(ce.Index * PointerSize)));
                            if (value != 0) break;
                            ce.Index++;
                        }
                        if (ce.Index == ce.ArrayLength) return false;
                        element.SymbolAddress = unchecked(ce.Address + (ulong)(ce.Index * PointerSize));
                        element.Address = value;
                        element.Size = ce.TypeName == "char" ? StringLength(value) : ce.Size;
                    }
                    else
                    {
                        element.SymbolAddress = unchecked(ce.Address + (ulong)(ce.Index * ce.Size));
                        element.Address = element.SymbolAddress;
                        element.Size = ce.Size;
                    }
                    ce.Index++;
                }
                else
                {
                    if (ce.Address == ce.StopAddress) return false;
                    element.Address = ce.Address;
                    // Resolved again at each call, until the walk ends.
                    ce.Flags &= ~EntryFlags.Resolved;
                }
                return true;
            }
            if (ce.Next.Next is null && (ce.Next.TypeFlags & TypeFlags.Array) == 0)
            {
                // The next entry is the link member: hand out this element, then step along the link.
                if ((ce.TypeFlags & TypeFlags.ListHead) == 0)
                {
                    if (ce.Address == 0 || ce.Address == ce.Next.StopAddress) return false;
                    if (ce.Next.StopAddress == 0) ce.Next.StopAddress = ce.Address;   // a circular list ends at its first element
                    element.Address = ce.Address;
                    element.SymbolAddress = ce.SymbolAddress;
                    element.Size = ce.Size;
                    ce.SymbolAddress = ce.Next.SymbolAddress;
                    ce.Address = ce.Next.Address;
                    if (ce.Address != 0 && !Resolve(ce.Next, ce.Address, ce.TypeName)) return false;
                    return true;
                }
                ce.SymbolAddress = ce.Next.SymbolAddress;
                ce.Address = ce.Next.Address;
            }
            if (ce.Next is not { } n || ce.Address == 0) return false;
            (baseAddress, baseStruct, ce) = (ce.Address, ce.TypeName, n);
        }
    }
}
