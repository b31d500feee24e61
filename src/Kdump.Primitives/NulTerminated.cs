using System.Text;

namespace Kdump.Primitives;

/// <summary>
/// C strings in fixed-size fields and string tables: the bytes before the first NUL, or the
/// whole field when it holds none (a full <c>char name[N]</c>). The encoding is the caller's:
/// Latin-1 keeps kernel bytes one to one, ASCII and UTF-8 are for text the format defines so.
/// </summary>
public static class NulTerminated
{
    public static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    public static string Latin1(ReadOnlySpan<byte> field) => Encoding.Latin1.GetString(Bytes(field));

    public static string Ascii(ReadOnlySpan<byte> field) => Encoding.ASCII.GetString(Bytes(field));

    public static string Utf8(ReadOnlySpan<byte> field) => Encoding.UTF8.GetString(Bytes(field));
}
