namespace Kdump.Formats.Dwarf;

/// <summary>The DWARF tags this reader names (DWARF 5, §7.5.3, table 7.3).</summary>
public static class DwarfTag
{
    public const ulong ArrayType = 0x01;          // DW_TAG_array_type
    public const ulong EnumerationType = 0x04;    // DW_TAG_enumeration_type
    public const ulong Member = 0x0d;             // DW_TAG_member
    public const ulong PointerType = 0x0f;        // DW_TAG_pointer_type
    public const ulong CompileUnit = 0x11;        // DW_TAG_compile_unit
    public const ulong StructureType = 0x13;      // DW_TAG_structure_type
    public const ulong Typedef = 0x16;            // DW_TAG_typedef
    public const ulong UnionType = 0x17;          // DW_TAG_union_type
    public const ulong SubrangeType = 0x21;       // DW_TAG_subrange_type
    public const ulong BaseType = 0x24;           // DW_TAG_base_type
    public const ulong ConstType = 0x26;          // DW_TAG_const_type
    public const ulong Enumerator = 0x28;         // DW_TAG_enumerator
    public const ulong Variable = 0x34;           // DW_TAG_variable
}

/// <summary>The DWARF attributes this reader names (DWARF 5, §7.5.4, table 7.5).</summary>
public static class DwarfAttribute
{
    public const ulong Sibling = 0x01;            // DW_AT_sibling
    public const ulong Name = 0x03;               // DW_AT_name
    public const ulong ByteSize = 0x0b;           // DW_AT_byte_size
    public const ulong StmtList = 0x10;           // DW_AT_stmt_list
    public const ulong Language = 0x13;           // DW_AT_language
    public const ulong CompDir = 0x1b;            // DW_AT_comp_dir
    public const ulong ConstValue = 0x1c;         // DW_AT_const_value
    public const ulong UpperBound = 0x2f;         // DW_AT_upper_bound
    public const ulong AbstractOrigin = 0x31;     // DW_AT_abstract_origin
    public const ulong DataMemberLocation = 0x38; // DW_AT_data_member_location
    public const ulong DeclFile = 0x3a;           // DW_AT_decl_file
    public const ulong Specification = 0x47;      // DW_AT_specification
    public const ulong Type = 0x49;               // DW_AT_type
    public const ulong StrOffsetsBase = 0x72;     // DW_AT_str_offsets_base
}

/// <summary>Attribute forms (DWARF 5, §7.5.6, table 7.6, and the GNU extensions gcc emits).</summary>
public static class DwarfForm
{
    public const ulong Addr = 0x01;
    public const ulong Block2 = 0x03;
    public const ulong Block4 = 0x04;
    public const ulong Data2 = 0x05;
    public const ulong Data4 = 0x06;
    public const ulong Data8 = 0x07;
    public const ulong InlineString = 0x08;    // DW_FORM_string
    public const ulong Block = 0x09;
    public const ulong Block1 = 0x0a;
    public const ulong Data1 = 0x0b;
    public const ulong Flag = 0x0c;
    public const ulong Sdata = 0x0d;
    public const ulong Strp = 0x0e;
    public const ulong Udata = 0x0f;
    public const ulong RefAddr = 0x10;
    public const ulong Ref1 = 0x11;
    public const ulong Ref2 = 0x12;
    public const ulong Ref4 = 0x13;
    public const ulong Ref8 = 0x14;
    public const ulong RefUdata = 0x15;
    public const ulong Indirect = 0x16;
    public const ulong SecOffset = 0x17;
    public const ulong Exprloc = 0x18;
    public const ulong FlagPresent = 0x19;
    public const ulong Strx = 0x1a;
    public const ulong Addrx = 0x1b;
    public const ulong RefSup4 = 0x1c;
    public const ulong StrpSup = 0x1d;
    public const ulong Data16 = 0x1e;
    public const ulong LineStrp = 0x1f;
    public const ulong RefSig8 = 0x20;
    public const ulong ImplicitConst = 0x21;
    public const ulong Loclistx = 0x22;
    public const ulong Rnglistx = 0x23;
    public const ulong RefSup8 = 0x24;
    public const ulong Strx1 = 0x25;
    public const ulong Strx2 = 0x26;
    public const ulong Strx3 = 0x27;
    public const ulong Strx4 = 0x28;
    public const ulong Addrx1 = 0x29;
    public const ulong Addrx2 = 0x2a;
    public const ulong Addrx3 = 0x2b;
    public const ulong Addrx4 = 0x2c;
    public const ulong GnuAddrIndex = 0x1f01;
    public const ulong GnuStrIndex = 0x1f02;
    public const ulong GnuRefAlt = 0x1f20;
    public const ulong GnuStrpAlt = 0x1f21;
}

/// <summary>DW_LANG values this reader names.</summary>
public static class DwarfLanguage
{
    public const ulong Rust = 0x1c;               // DW_LANG_Rust
}
