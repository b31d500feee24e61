namespace Kdump.Kexec.Legacy;

/// <summary>E820 memory types (arch/x86/include/asm/e820/types.h).</summary>
public enum E820Type : uint
{
    Ram = 1,
    Reserved = 2,
    Acpi = 3,
    Nvs = 4,
    Unusable = 5,
    Pmem = 7,
    Pram = 12,
    SoftReserved = 0xefffffff,
}

/// <summary>One <c>struct boot_e820_entry</c>: <see cref="Size"/> bytes from <see cref="Address"/>.</summary>
public readonly record struct E820Entry(ulong Address, ulong Size, E820Type Type)
{
    public ulong End => Address + Size;
}

/// <summary>The names the kernel gives memory types in /proc/iomem and /sys/firmware/memmap/N/type.</summary>
public static class E820Names
{
    // e820_type_to_string (arch/x86/kernel/e820.c); "reserved" is the spelling before 4.16.
    private static readonly Dictionary<string, E820Type> s_types = new(StringComparer.Ordinal)
    {
        ["System RAM"] = E820Type.Ram,
        ["Reserved"] = E820Type.Reserved,
        ["reserved"] = E820Type.Reserved,
        ["ACPI Tables"] = E820Type.Acpi,
        ["ACPI Non-volatile Storage"] = E820Type.Nvs,
        ["Unusable memory"] = E820Type.Unusable,
        ["Persistent Memory (legacy)"] = E820Type.Pram,
        ["Persistent Memory"] = E820Type.Pmem,
        ["Soft Reserved"] = E820Type.SoftReserved,
    };

    public static bool TryParse(string name, out E820Type type) => s_types.TryGetValue(name, out type);
}
