namespace Kdump.Formats.Elf;

public sealed partial record ElfHeader
{
    /// <summary>Byte offsets of the header fields; e_ident (16 bytes) comes first in both classes.</summary>
    internal static class FieldLocations
    {
        /// <summary>Elf32_Ehdr, 52 bytes.</summary>
        public static class Elf32
        {
            public const int Type = 16;       // e_type
            public const int Machine = 18;    // e_machine
            public const int Version = 20;    // e_version
            public const int Entry = 24;      // e_entry
            public const int PhOff = 28;      // e_phoff
            public const int ShOff = 32;      // e_shoff
            public const int Flags = 36;      // e_flags
            public const int EhSize = 40;     // e_ehsize
            public const int PhEntSize = 42;  // e_phentsize
            public const int PhNum = 44;      // e_phnum
            public const int ShEntSize = 46;  // e_shentsize
            public const int ShNum = 48;      // e_shnum
            public const int ShStrNdx = 50;   // e_shstrndx
            public const int Size = 52;
        }

        /// <summary>Elf64_Ehdr, 64 bytes.</summary>
        public static class Elf64
        {
            public const int Type = 16;       // e_type
            public const int Machine = 18;    // e_machine
            public const int Version = 20;    // e_version
            public const int Entry = 24;      // e_entry
            public const int PhOff = 32;      // e_phoff
            public const int ShOff = 40;      // e_shoff
            public const int Flags = 48;      // e_flags
            public const int EhSize = 52;     // e_ehsize
            public const int PhEntSize = 54;  // e_phentsize
            public const int PhNum = 56;      // e_phnum
            public const int ShEntSize = 58;  // e_shentsize
            public const int ShNum = 60;      // e_shnum
            public const int ShStrNdx = 62;   // e_shstrndx
            public const int Size = 64;
        }
    }
}
