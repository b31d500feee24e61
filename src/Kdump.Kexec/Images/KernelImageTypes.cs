namespace Kdump.Kexec.Images;

/// <summary>
/// The probe table, in kexec-tools' x86_64 order (kexec/arch/x86_64/kexec-x86_64.c: file_type[]):
/// the first type whose probe succeeds loads the image. Upstream's multiboot, elf-x86, bzImage
/// (32-bit), beoboot, nbi and uki types are legacy-syscall loaders and are not listed.
/// </summary>
public static class KernelImageTypes
{
    public static IReadOnlyList<IKernelImageType> X64 { get; } = [ElfX64.Instance, BzImage64.Instance];
}
