namespace Kdump.Kexec.Images;

/// <summary>
/// One kernel image format kexec recognises (kexec-tools' <c>struct file_type</c>): a name as
/// upstream prints it and a probe over the file's first bytes. The kernel parses the image itself
/// with kexec_file_load, so a probe only has to say "this is mine".
/// </summary>
public interface IKernelImageType
{
    /// <summary>kexec-tools' file_type name, e.g. "bzImage64".</summary>
    string Name { get; }

    /// <summary>How many leading bytes <see cref="Probe"/> looks at (fewer when the file is shorter).</summary>
    int ProbeLength { get; }

    bool Probe(ReadOnlySpan<byte> head, long fileLength);

    /// <summary>The loader options this type documents in <c>kexec --help</c>.</summary>
    string Usage { get; }
}
