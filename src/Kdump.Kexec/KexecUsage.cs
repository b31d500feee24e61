using System.Text;
using Kdump.Kexec.Images;

namespace Kdump.Kexec;

/// <summary>kexec-tools 2.0.32's usage() text for x86_64, listing the image types this kexec probes.</summary>
public static class KexecUsage
{
    // Verbatim from kexec/kexec.c usage() (checked against the reference binary by KexecCommand.Golden.Tests).
    private const string General =
        "Usage: kexec [OPTION]... [kernel]\n" +
        "Directly reboot into a new kernel\n" +
        "\n" +
        " -h, --help           Print this help.\n" +
        " -v, --version        Print the version of kexec.\n" +
        " -f, --force          Force an immediate kexec,\n" +
        "                      don't call shutdown.\n" +
        " -i, --no-checks      Fast reboot, no memory integrity checks.\n" +
        " -x, --no-ifdown      Don't bring down network interfaces.\n" +
        " -y, --no-sync        Don't sync filesystems before kexec.\n" +
        " -l, --load           Load the new kernel into the\n" +
        "                      current kernel.\n" +
        " -p, --load-panic     Load the new kernel for use on panic.\n" +
        " -u, --unload         Unload the current kexec target kernel.\n" +
        "                      If capture kernel is being unloaded\n" +
        "                      specify -p with -u.\n" +
        " -e, --exec           Execute a currently loaded kernel.\n" +
        "     --exec-live-update Execute a currently loaded xen image after\n" +
        "storing the state required to live update.\n" +
        " -t, --type=TYPE      Specify the new kernel is of this type.\n" +
        "     --mem-min=<addr> Specify the lowest memory address to\n" +
        "                      load code into.\n" +
        "     --mem-max=<addr> Specify the highest memory address to\n" +
        "                      load code into.\n" +
        "     --reuseinitrd    Reuse initrd from first boot.\n" +
        "     --print-ckr-size Print crash kernel region size.\n" +
        "     --load-preserve-context Load the new kernel and preserve\n" +
        "                      context of current kernel during kexec.\n" +
        "     --load-jump-back-helper Load a helper image to jump back\n" +
        "                      to original kernel.\n" +
        "     --load-live-update Load the new kernel to overwrite the\n" +
        "                      running kernel.\n" +
        "     --entry=<addr>   Specify jump back address.\n" +
        "                      (0 means it's not jump back or\n" +
        "                      preserve context)\n" +
        "                      to original kernel.\n" +
        " -s, --kexec-file-syscall Use file based syscall for kexec operation\n" +
        " -c, --kexec-syscall  Use the kexec_load syscall for for compatibility\n" +
        "                      with systems that don't support -s\n" +
        " -a, --kexec-syscall-auto  Use file based syscall for kexec and fall\n" +
        "                      back to the compatibility syscall when file based\n" +
        "                      syscall is not supported or the kernel did not\n" +
        "                      understand the image (default)\n" +
        " --hotplug            Do in-kernel update of kexec segments on CPU/Memory\n" +
        "                      hot add/remove events, avoiding the need to reload\n" +
        "                      kdump kernel on online/offline events.\n" +
        " -d, --debug          Enable debugging to help spot a failure.\n" +
        " -S, --status         Return 1 if the type (by default crash) is loaded,\n" +
        "                      0 if not.\n" +
        "\n" +
        "Supported kernel file types and options: \n";

    private const string ArchOptions =
        "Architecture options: \n" +
        "     --reset-vga               Attempt to reset a standard vga device\n" +
        "     --serial=<port>           Specify the serial port for debug output\n" +
        "     --serial-baud=<baud_rate> Specify the serial port baud rate\n" +
        "     --console-vga             Enable the vga console\n" +
        "     --console-serial          Enable the serial console\n" +
        "     --pass-memmap-cmdline     Pass memory map via command line in kexec on panic case\n" +
        "     --noefi                   Disable efi support\n" +
        "     --reuse-video-type        Reuse old boot time video type blindly\n" +
        "\n";

    // Ours, after upstream's text so that its prefix stays verbatim.
    private const string Extensions =
        "Options of this implementation: \n" +
        "     --root=DIR                Read system files (/proc, /sys) under DIR instead of /\n";

    public static string Text(IReadOnlyList<IKernelImageType> imageTypes)
    {
        ArgumentNullException.ThrowIfNull(imageTypes);
        var sb = new StringBuilder();
        sb.Append(KexecMessages.Version).Append('\n').Append(General);
        foreach (var t in imageTypes) sb.Append(t.Name).Append('\n').Append(t.Usage);
        sb.Append(ArchOptions).Append(Extensions);
        return sb.ToString();
    }
}
