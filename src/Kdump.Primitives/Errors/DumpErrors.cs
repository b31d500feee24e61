using System.Diagnostics.CodeAnalysis;

namespace Kdump.Primitives.Errors;

/// <summary>
/// Builds the messages of the taxonomy in one shape:
/// <c>'FILE': FIELD VALUE at offset 0xOFF: REASON</c>.
/// </summary>
public static class DumpErrors
{
    public static string Describe(string? file, string field, string value, long? offset, string reason)
    {
        var where = offset is { } o ? $" at offset 0x{o:x}" : "";
        var prefix = file is null ? "" : $"'{file}': ";
        var fieldPart = value.Length == 0 ? field : $"{field} {value}";
        return $"{prefix}{fieldPart}{where}: {reason}";
    }

    public static DumpCorruptException Corrupt(string? file, string field, string value, long? offset, string reason) =>
        new(Describe(file, field, value, offset, reason)) { FilePath = file, Offset = offset };

    public static UnexpectedEndOfDumpException Truncated(string? file, string field, long offset, long wanted, long fileLength) =>
        new(Describe(file, field, "", offset,
            $"needs {wanted} bytes but the file ends at 0x{fileLength:x} (truncated?)"))
        { FilePath = file, Offset = offset };

    /// <summary>A count or size read from the file is above a <see cref="ParseLimits"/> bound.</summary>
    public static DumpCorruptException OverLimit(string? file, string field, ulong value, ulong limit, long? offset) =>
        Corrupt(file, field, value.ToString(), offset, $"exceeds the maximum of {limit}");

    [DoesNotReturn]
    public static void ThrowCorrupt(string? file, string field, string value, long? offset, string reason) =>
        throw Corrupt(file, field, value, offset, reason);
}
