using System.Runtime.InteropServices;

namespace Kdump.Linux;

/// <summary><c>struct kexec_segment</c> of <c>&lt;linux/kexec.h&gt;</c> (host-native layout: passed to the kernel, never read from a file).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kexec_segment
{
    public nint buf;    // const void *buf
    public nuint bufsz; // size_t bufsz
    public nuint mem;   // const void *mem (physical address)
    public nuint memsz; // size_t memsz
}
