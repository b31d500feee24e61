namespace Kdump.Tests.Shared;

/// <summary>
/// A scratch directory made by <see cref="Lab.Scratch"/>, deleted with everything in it on dispose.
/// Declare it before any file, stream or process that lives inside it: <c>using</c> declarations
/// are disposed in reverse order, so those are closed before the directory goes.
/// </summary>
internal sealed class ScratchDir : IDisposable
{
    internal ScratchDir(string path)
    {
        Directory.CreateDirectory(path);
        Path = path;
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone (the test removed it, or a second dispose): nothing is left to clean.
        }
    }
}
