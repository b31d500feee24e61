namespace Kdump.Initramfs;

/// <summary>A capture initramfs cannot be built; the message is what mkdumprd prints.</summary>
public sealed class InitramfsBuildException : Exception
{
    public InitramfsBuildException() { }

    public InitramfsBuildException(string message) : base(message) { }

    public InitramfsBuildException(string message, Exception inner) : base(message, inner) { }
}
