namespace Kdump.Config;

/// <summary>Line splitting as the shell tools see it: '\n' separates, a final newline adds no line.</summary>
internal static class TextLines
{
    public static IEnumerable<string> Split(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var nl = text.IndexOf('\n', start);
            if (nl < 0)
            {
                yield return text[start..];
                yield break;
            }
            yield return text[start..nl];
            start = nl + 1;
        }
    }
}
