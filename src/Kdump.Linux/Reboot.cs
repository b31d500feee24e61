namespace Kdump.Linux;

/// <summary><c>&lt;linux/reboot.h&gt;</c> commands for reboot(2) (glibc's <c>reboot(int)</c> adds the magic numbers).</summary>
public static class Reboot
{
    public const uint LINUX_REBOOT_MAGIC1 = 0xfee1dead;
    public const uint LINUX_REBOOT_MAGIC2 = 672274793;

    public const uint LINUX_REBOOT_CMD_RESTART = 0x01234567;
    public const uint LINUX_REBOOT_CMD_HALT = 0xCDEF0123;
    public const uint LINUX_REBOOT_CMD_POWER_OFF = 0x4321FEDC;
    /// <summary>Boot the kernel loaded by kexec_load/kexec_file_load (without KEXEC_ON_CRASH).</summary>
    public const uint LINUX_REBOOT_CMD_KEXEC = 0x45584543;

    public static string Name(uint cmd) => cmd switch
    {
        LINUX_REBOOT_CMD_RESTART => nameof(LINUX_REBOOT_CMD_RESTART),
        LINUX_REBOOT_CMD_HALT => nameof(LINUX_REBOOT_CMD_HALT),
        LINUX_REBOOT_CMD_POWER_OFF => nameof(LINUX_REBOOT_CMD_POWER_OFF),
        LINUX_REBOOT_CMD_KEXEC => nameof(LINUX_REBOOT_CMD_KEXEC),
        _ => $"0x{cmd:x8}",
    };
}
