using Kdump.Formats.Dwarf;

namespace Kdump.Makedumpfile.Vmlinux;

/// <summary>
/// makedumpfile's dwarf_info.c lookups (get_structure_size, get_member_offset, get_array_length,
/// get_enum_number, get_source_filename) over a vmlinux's DWARF, with their results and quirks:
/// the same answer as 1.7.8 for every query, found much faster.
/// </summary>
/// <remarks>
/// Upstream walks every compile unit per query (Rust units skipped) and, in each, search_die_tree:
/// it descends the first-child path only, then runs the search over each sibling list on that path,
/// deepest first. So only those lists are searched: the unit's top-level DIEs and the children of
/// its first DIE, recursively. The first unit where a search succeeds decides. Here one pass over
/// all units indexes the DIEs of those lists by name (and enumerators by name, pointing at their
/// enumeration type in such a list), and each query walks its name's entries in upstream's order.
/// </remarks>
internal sealed class DebugInfoSearch
{
    /// <summary>TYPE_BASE … TYPE_LIST_HEAD (dwarf_info.h); ListHead is set by the erase filter, not here.</summary>
    [Flags]
    public enum BaseTypeFlags
    {
        None = 0,
        Base = 0x01,
        Array = 0x02,
        Pointer = 0x04,
        Struct = 0x08,
        ListHead = 0x10,
    }

    /// <summary>get_dwarf_base_type's answer: type name (null when the end of the chain has none), byte size, flags.</summary>
    public readonly record struct BaseType(string? Name, long Size, BaseTypeFlags Flags);

    /// <summary>NOT_FOUND_STRUCTURE, NOT_FOUND_NUMBER (dwarf_info.h).</summary>
    public const long NotFound = -1;

    /// <summary>FOUND_ARRAY_TYPE: the symbol is an array of unknown length.</summary>
    public const long FoundArrayType = long.MaxValue - 1;

    private readonly DwarfFile _dwarf;
    private readonly Action<string, string> _error;
    private readonly Dictionary<string, List<Entry>> _byName;
    private readonly Dictionary<string, List<Entry>> _byEnumerator;
    private readonly Action<int, int>? _walked;

    /// <summary>A DIE of a searched sibling list: its unit, the list's depth (visited deepest first) and its offset.</summary>
    private readonly record struct Entry(int Unit, int Depth, int Offset)
    {
        public (int, int) List => (Unit, Depth);
    }

    private enum MemberQuery
    {
        Offset,             // DWARF_INFO_GET_MEMBER_OFFSET
        FirstUnionOffset,   // DWARF_INFO_GET_MEMBER_OFFSET_1ST_UNION
        ArrayLength,        // DWARF_INFO_GET_MEMBER_ARRAY_LENGTH
        Type,               // DWARF_INFO_GET_MEMBER_TYPE
    }

    /// <param name="error">ERRMSG: (function, message) for upstream's diagnostics on malformed DWARF.</param>
    /// <param name="walked">Told each unit's .debug_info range once indexed (the caller may let its pages go).</param>
    public DebugInfoSearch(DwarfFile dwarf, IEnumerable<string> names, IEnumerable<string> enumerators, Action<string, string> error,
        Action<int, int>? walked = null)
    {
        _walked = walked;
        _dwarf = dwarf;
        _error = error;
        _byName = NewIndex(names);
        _byEnumerator = NewIndex(enumerators);
        Index(_byName, _byEnumerator);
    }

    /// <summary>
    /// The <c>walked</c> callback that tells a mapped vmlinux which file ranges of .debug_info are
    /// indexed and may leave memory; null when there is nothing to tell, or when the section is
    /// stored compressed (offsets into its inflated copy are not file offsets).
    /// </summary>
    public static Action<int, int>? ReleaseIndexed(Kdump.Formats.Elf.ElfObject elf, Action<long, long>? forget)
    {
        ArgumentNullException.ThrowIfNull(elf);
        if (forget is null || elf.IsCompressed(".debug_info")) return null;
        var infoStart = (long)(elf.SectionHeader(".debug_info")?.Offset ?? 0);
        return (offset, length) => forget(infoStart + offset, length);
    }

    private static Dictionary<string, List<Entry>> NewIndex(IEnumerable<string> names) =>
        names.Distinct(StringComparer.Ordinal).ToDictionary(n => n, _ => new List<Entry>(), StringComparer.Ordinal);

    /// <summary>
    /// Indexes names not indexed yet, in one more pass over the units: the erase filter learns type
    /// names from the DWARF as it resolves, so it cannot give them all up front.
    /// </summary>
    public void Require(IEnumerable<string> names)
    {
        var missing = NewIndex(names.Where(n => !_byName.ContainsKey(n)));
        if (missing.Count == 0) return;
        Index(missing, []);
        foreach (var (name, entries) in missing) _byName.Add(name, entries);
    }

    private void Index(Dictionary<string, List<Entry>> byName, Dictionary<string, List<Entry>> byEnumerator)
    {
        var names = byName.GetAlternateLookup<ReadOnlySpan<char>>();
        var enumerators = byEnumerator.GetAlternateLookup<ReadOnlySpan<char>>();
        var onPath = new List<bool>();
        var lastAt = new List<(DwarfDie Die, bool Listed)>();
        var chars = new char[256];
        for (var u = 0; u < _dwarf.Units.Count; u++)
        {
            var unit = _dwarf.Units[u];
            if (_dwarf.UnitDie(unit) is not { } top) continue;
            // get_debug_info: "currently Rust is not supported".
            if (_dwarf.TryGetAttribute(top, DwarfAttribute.Language, out var lang) && _dwarf.TryUnsigned(lang, out var language)
                && language == DwarfLanguage.Rust)
                continue;
            var previousDepth = -1;
            var unitIndex = u;
            _dwarf.Walk(unit, (die, depth) =>
            {
                while (onPath.Count <= depth) onPath.Add(false);
                while (lastAt.Count <= depth) lastAt.Add(default);
                var listed = depth > 0 && onPath[depth - 1];
                onPath[depth] = depth == 0 || (listed && previousDepth == depth - 1);
                previousDepth = depth;
                lastAt[depth] = (die, listed);
                if (listed && Lookup(names, _dwarf.NameBytes(die), chars) is { } named) named.Add(new Entry(unitIndex, depth, die.Offset));
                // An enumerator counts through its enumeration type in a searched list (it may be
                // listed itself when that type is the first DIE of the list).
                if (die.Tag == DwarfTag.Enumerator && depth >= 2 && lastAt[depth - 1] is { Listed: true } parent
                    && parent.Die.Tag == DwarfTag.EnumerationType && Lookup(enumerators, _dwarf.NameBytes(die), chars) is { } list)
                    list.Add(new Entry(unitIndex, depth - 1, parent.Die.Offset));
            });
            _walked?.Invoke(unit.Offset, unit.End - unit.Offset);
        }
        // Upstream's order: units in file order, in each the deepest list first, then file order.
        foreach (var list in byName.Values.Concat(byEnumerator.Values))
            list.Sort((a, b) => a.Unit != b.Unit ? a.Unit.CompareTo(b.Unit) : a.Depth != b.Depth ? b.Depth.CompareTo(a.Depth) : a.Offset.CompareTo(b.Offset));
    }

    private static List<Entry>? Lookup(Dictionary<string, List<Entry>>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<byte> name, char[] chars)
    {
        if (name.IsEmpty || name.Length > chars.Length) return null;
        for (var i = 0; i < name.Length; i++) chars[i] = (char)name[i];
        return lookup.TryGetValue(chars.AsSpan(0, name.Length), out var list) ? list : null;
    }

    /// <summary>The entries of <paramref name="entries"/> grouped by sibling list, in search order.</summary>
    private static IEnumerable<List<Entry>> Lists(List<Entry> entries)
    {
        var i = 0;
        while (i < entries.Count)
        {
            var group = new List<Entry>();
            var key = entries[i].List;
            while (i < entries.Count && entries[i].List == key) group.Add(entries[i++]);
            yield return group;
        }
    }

    private List<Entry> EntriesOf(string name)
    {
        if (!_byName.ContainsKey(name)) Require([name]);
        return _byName[name];
    }

    private DwarfDie Die(in Entry e) => _dwarf.DieAt(e.Offset) ?? throw new InvalidOperationException("an indexed DIE vanished");

    /// <summary>Bound on typedef chains and member nesting: C headers stay far below it.</summary>
    private const int MaxDepth = 64;

    private static Kdump.Primitives.Errors.DumpCorruptException Corrupt(in DwarfDie die, string reason) =>
        Kdump.Primitives.Errors.DumpErrors.Corrupt(null, ".debug_info DIE", $"0x{die.Offset:x}", die.Offset, reason);

    /// <summary>get_die_type: the DIE DW_AT_type names (the DIE's own attribute); a broken reference gets upstream's message.</summary>
    private bool TryType(DwarfDie die, out DwarfDie type)
    {
        // die is a copy: callers pass the same variable as both arguments.
        DwarfDie? target = null;
        if (_dwarf.TryGetAttribute(die, DwarfAttribute.Type, out var attr))
        {
            target = _dwarf.ReferencedDie(attr);
            if (target is null) _error("get_die_type", "Can't get CU die.");
        }
        type = target.GetValueOrDefault();
        return target is not null;
    }

    /// <summary>dwarf_bytesize: DW_AT_byte_size (integrated), else -1.</summary>
    private long ByteSize(in DwarfDie die) =>
        _dwarf.TryGetAttributeIntegrated(die, DwarfAttribute.ByteSize, out var v) && _dwarf.TryUnsigned(v, out var size) ? unchecked((long)size) : -1;

    private string? NameOf(in DwarfDie die) => _dwarf.Name(die);

    // ---- search_structure and search_member ----------------------------------------------------

    /// <summary>SIZE_INIT: get_structure_size(name, DWARF_INFO_GET_STRUCT_SIZE).</summary>
    public long StructureSize(string name) => FindStructure(name) is { } s ? s.Size : NotFound;

    /// <summary>OFFSET_INIT: get_member_offset(struct, member, DWARF_INFO_GET_MEMBER_OFFSET).</summary>
    public long MemberOffset(string structure, string member) => Member(structure, member, MemberQuery.Offset).Offset;

    /// <summary>get_member_offset(struct, NULL, DWARF_INFO_GET_MEMBER_OFFSET_1ST_UNION).</summary>
    public long FirstUnionOffset(string structure) => Member(structure, "", MemberQuery.FirstUnionOffset).Offset;

    /// <summary>MEMBER_ARRAY_LENGTH_INIT: get_array_length(struct, member, DWARF_INFO_GET_MEMBER_ARRAY_LENGTH).</summary>
    public long MemberArrayLength(string structure, string member) => Member(structure, member, MemberQuery.ArrayLength).Length;

    /// <summary>
    /// get_member_type_name(struct, member, DWARF_INFO_GET_MEMBER_TYPE): what the member's type chain
    /// ends at; null when the structure or the member is not found, or (upstream's test of
    /// struct_size) when the type it ends at has no byte size.
    /// </summary>
    public BaseType? MemberType(string structure, string member)
    {
        var state = new MemberState(member, MemberQuery.Type);
        if (FindStructure(structure) is not { } s) return null;
        SearchMember(s.Die, ref state);
        return state.Type is { Size: not NotFound } t ? t : null;
    }

    private (long Offset, long Length) Member(string structure, string member, MemberQuery query)
    {
        var state = new MemberState(member, query);
        if (FindStructure(structure) is { } s) SearchMember(s.Die, ref state);
        return (state.Offset, state.Length);
    }

    /// <summary>
    /// search_structure over the lists in order: the first DW_TAG_structure_type (or typedef of
    /// one) named <paramref name="name"/> with a DW_AT_byte_size above 0.
    /// </summary>
    private (DwarfDie Die, long Size)? FindStructure(string name)
    {
        foreach (var list in Lists(EntriesOf(name)))
        {
            // The list's DIEs with other names are skipped by upstream's loop, so only the indexed
            // ones are visited, until a typedef leads to a struct declaration: then upstream's loop
            // goes on from that struct's next sibling, wherever it is, and so does this one.
            var i = 0;
            var literal = false;
            HashSet<int>? seen = null;
            DwarfDie? Next(in DwarfDie from) => literal ? _dwarf.NextSibling(from) : i < list.Count ? Die(list[i++]) : null;
            for (var current = Next(default); current is { } die;)
            {
                // A typedef that names a declaration earlier in its own list sends upstream's loop
                // round for ever; stop instead.
                if (literal && !(seen ??= []).Add(die.Offset)) throw Corrupt(die, $"struct {name}: a typedef leads back to a declaration already passed (upstream loops here)");
                if (literal && NameOf(die) != name)
                {
                    current = Next(die);
                    continue;
                }
                var fromTypedef = die.Tag == DwarfTag.Typedef;
                if (fromTypedef)
                {
                    if (ResolveTypedef(die, "search_structure") is not { } type) break;
                    if (type.Tag != DwarfTag.StructureType)
                    {
                        current = Next(die);
                        continue;
                    }
                    die = type;
                }
                else if (die.Tag != DwarfTag.StructureType)
                {
                    current = Next(die);
                    continue;
                }
                var size = ByteSize(die);
                if (size > 0) return (die, size);
                literal |= fromTypedef;
                current = Next(die);
            }
        }
        return null;
    }

    /// <summary>DW_AT_type of a typedef, through typedefs of typedefs; null after upstream's message when a link is missing.</summary>
    private DwarfDie? ResolveTypedef(in DwarfDie typedef, string function)
    {
        if (!TryType(typedef, out var type))
        {
            _error(function, "Can't get CU die of DW_AT_type.");
            return null;
        }
        for (var hops = 0; type.Tag == DwarfTag.Typedef; hops++)
        {
            // Upstream follows a typedef loop in damaged DWARF for ever; real chains are short.
            if (hops == MaxDepth) throw Corrupt(type, $"typedef chain of more than {MaxDepth} links");
            if (TryType(type, out type)) continue;
            _error(function, "Can't get CU die of DW_AT_type.");
            return null;
        }
        return type;
    }

    private struct MemberState(string member, MemberQuery query)
    {
        public readonly string Member = member;
        public readonly MemberQuery Query = query;
        public long Offset = NotFound;
        public long Length = NotFound;
        public BaseType? Type;
        public readonly HashSet<int> Failed = [];
    }

    private static bool IsContainer(in DwarfDie die, MemberQuery query) =>
        die.Tag == DwarfTag.StructureType || (query != MemberQuery.FirstUnionOffset && die.Tag == DwarfTag.UnionType);

    /// <summary>get_data_member_location: the first operand of DW_AT_data_member_location.</summary>
    private bool TryMemberLocation(in DwarfDie die, out long offset)
    {
        offset = 0;
        if (!_dwarf.TryGetAttribute(die, DwarfAttribute.DataMemberLocation, out var attr) || !_dwarf.TryLocationNumber(attr, out var n)) return false;
        offset = unchecked((long)n);
        return true;
    }

    /// <summary>search_member: the container's members, descending into unnamed or other-named struct/union members.</summary>
    private bool SearchMember(in DwarfDie container, ref MemberState state, int depth = 0)
    {
        // Upstream recurses without bound; a struct that contains itself exists only in damaged DWARF.
        if (depth == MaxDepth) throw Corrupt(container, $"members nested more than {MaxDepth} deep");
        for (var walker = _dwarf.FirstChild(container); walker is { } w; walker = _dwarf.NextSibling(w))
        {
            if (w.Tag != DwarfTag.Member) continue;
            var name = NameOf(w);
            if (name != state.Member)
            {
                if (!TryType(w, out var type)) continue;
                // A container already searched for this member without success fails again: skip it
                // (upstream searches it again; with shared nested types that is exponential).
                if (IsContainer(type, state.Query) && state.Failed.Add(type.Offset) && SearchMember(type, ref state, depth + 1))
                {
                    // adjust_member_offset
                    if (state.Offset != NotFound && TryMemberLocation(w, out var outer)) state.Offset = unchecked(state.Offset + outer);
                    return true;
                }
            }
            switch (state.Query)
            {
                case MemberQuery.Offset:
                    if (name != state.Member) continue;
                    long offset;
                    if (container.Tag == DwarfTag.UnionType) offset = 0;
                    else if (!TryMemberLocation(w, out offset)) continue;
                    state.Offset = offset;
                    return true;
                case MemberQuery.FirstUnionOffset:
                    if (!TryType(w, out var t) || t.Tag != DwarfTag.UnionType || !TryMemberLocation(w, out var unionOffset)) continue;
                    state.Offset = unionOffset;
                    return true;
                case MemberQuery.ArrayLength:
                    if (name != state.Member) continue;
                    if (!TryArrayLength(w, ref state.Length)) continue;
                    return true;
                case MemberQuery.Type:
                    if (name != state.Member) continue;
                    state.Type = BaseTypeOf(w);
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// get_data_array_length: the length of the array DW_AT_type names (through one const), as its
    /// first subrange's DW_AT_upper_bound + 1; true without a length when the type is no array.
    /// </summary>
    private bool TryArrayLength(in DwarfDie die, ref long length)
    {
        if (!TryType(die, out var type))
        {
            _error("get_data_array_length", "Can't get CU die of DW_AT_type.");
            return false;
        }
        if (type.Tag == DwarfTag.ConstType && !TryType(type, out type))
        {
            _error("get_data_array_length", "Can't get CU die of DW_AT_type.");
            return false;
        }
        if (type.Tag != DwarfTag.ArrayType) return true;
        // Upstream's loop over the children only ever looks at the first one (its condition is inverted).
        if (_dwarf.FirstChild(type) is not { } range || range.Tag != DwarfTag.SubrangeType) return false;
        if (!_dwarf.TryGetAttribute(range, DwarfAttribute.UpperBound, out var bound) || !_dwarf.TryUnsigned(bound, out var upper)) return false;
        length = unchecked((long)(upper + 1));
        return true;
    }

    // ---- get_dwarf_base_type ----------------------------------------------------------------------

    /// <summary>
    /// get_dwarf_base_type: follows DW_AT_type from <paramref name="die"/> to its end, noting array,
    /// pointer, struct and base types passed (typedefs, const and the rest add nothing). The name is
    /// that of the last DIE, "void" for a bare pointer; the size is its byte size (-1 without one).
    /// </summary>
    private BaseType BaseTypeOf(DwarfDie die)
    {
        var flags = BaseTypeFlags.None;
        for (var hops = 0; _dwarf.TryGetAttribute(die, DwarfAttribute.Type, out var attr); hops++)
        {
            if (_dwarf.ReferencedDie(attr) is not { } next)
            {
                _error("get_die_type", "Can't get CU die.");
                break;
            }
            if (hops == MaxDepth) throw Corrupt(next, $"type chain of more than {MaxDepth} links");
            die = next;
            flags |= die.Tag switch
            {
                DwarfTag.ArrayType => BaseTypeFlags.Array,
                DwarfTag.PointerType => BaseTypeFlags.Pointer,
                DwarfTag.StructureType => BaseTypeFlags.Struct,
                DwarfTag.BaseType => BaseTypeFlags.Base,
                _ => BaseTypeFlags.None,
            };
        }
        var name = NameOf(die) ?? (flags == BaseTypeFlags.Pointer ? "void" : null);
        return new BaseType(name, ByteSize(die), flags);
    }

    /// <summary>get_symbol_type_name(symbol, DWARF_INFO_GET_SYMBOL_TYPE): null when no variable has the name.</summary>
    public BaseType? SymbolType(string name) => FindVariable(name) is { } v ? BaseTypeOf(v) : null;

    // ---- search_symbol ---------------------------------------------------------------------------

    /// <summary>The first DW_TAG_variable named <paramref name="name"/> in the first list that has one.</summary>
    private DwarfDie? FindVariable(string name)
    {
        foreach (var e in EntriesOf(name))
        {
            var die = Die(e);
            if (die.Tag == DwarfTag.Variable) return die;
        }
        return null;
    }

    /// <summary>SYMBOL_ARRAY_LENGTH_INIT: get_array_length(symbol, NULL, DWARF_INFO_GET_SYMBOL_ARRAY_LENGTH).</summary>
    public long SymbolArrayLength(string name)
    {
        var length = NotFound;
        if (FindVariable(name) is { } v) TryArrayLength(v, ref length);
        return length;
    }

    /// <summary>SYMBOL_ARRAY_TYPE_INIT: FOUND_ARRAY_TYPE when the variable's type is an array (check_array_type).</summary>
    public long SymbolArrayType(string name)
    {
        if (FindVariable(name) is not { } v) return NotFound;
        if (!TryType(v, out var type))
        {
            _error("check_array_type", "Can't get CU die of DW_AT_type.");
            return NotFound;
        }
        return type.Tag == DwarfTag.ArrayType ? FoundArrayType : NotFound;
    }

    // ---- search_typedef ---------------------------------------------------------------------------

    /// <summary>TYPEDEF_SIZE_INIT: the size of what the first typedef named <paramref name="name"/> resolves to.</summary>
    public long TypedefSize(string name)
    {
        foreach (var list in Lists(EntriesOf(name)))
        {
            foreach (var e in list)
            {
                var die = Die(e);
                if (die.Tag != DwarfTag.Typedef) continue;
                if (ResolveTypedef(die, "search_typedef") is not { } type) break;
                var size = ByteSize(type);
                if (size > 0) return size;
            }
        }
        return NotFound;
    }

    /// <summary>TYPEDEF_SRCFILE_INIT: the declaring file of the first typedef named <paramref name="name"/> (at most 99 characters).</summary>
    public string? TypedefSourceFile(string name)
    {
        foreach (var e in EntriesOf(name))
        {
            var die = Die(e);
            if (die.Tag != DwarfTag.Typedef) continue;
            if (!_dwarf.TryGetAttributeIntegrated(die, DwarfAttribute.DeclFile, out var attr) || !_dwarf.TryUnsigned(attr, out var index)) continue;
            // The file table is that of the unit where the attribute was found (it may be an origin's).
            if (_dwarf.FileName(attr.Unit, index) is not { } file) continue;
            return file.Length > 99 ? file[..99] : file;   // LEN_SRCFILE - 1
        }
        return null;
    }

    // ---- search_number ---------------------------------------------------------------------------

    /// <summary>
    /// ENUM_NUMBER_INIT: the value of enumerator <paramref name="name"/>; within the first list that
    /// has it, the last enumeration type's value wins (upstream does not stop at the first).
    /// </summary>
    public long EnumNumber(string name)
    {
        if (!_byEnumerator.TryGetValue(name, out var entries)) throw new InvalidOperationException($"enumerator '{name}' was not indexed");
        foreach (var list in Lists(entries))
        {
            long? value = null;
            var seen = -1;
            foreach (var e in list)
            {
                if (e.Offset == seen) continue;
                seen = e.Offset;
                for (var c = _dwarf.FirstChild(Die(e)); c is { } child; c = _dwarf.NextSibling(child))
                {
                    if (child.Tag != DwarfTag.Enumerator || NameOf(child) != name) continue;
                    if (!_dwarf.TryGetAttribute(child, DwarfAttribute.ConstValue, out var attr) || !_dwarf.TryUnsigned(attr, out var v)) continue;
                    value = unchecked((long)v);
                }
            }
            if (value is { } found) return found;
        }
        return NotFound;
    }
}
