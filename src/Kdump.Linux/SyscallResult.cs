namespace Kdump.Linux;

/// <summary>
/// What a system call returned: <see cref="Value"/> on success, or the <c>errno</c> it set
/// (<see cref="Errno"/> is 0 on success).
/// </summary>
public readonly record struct SyscallResult(long Value, int Errno)
{
    public bool IsError => Errno != 0;

    public static SyscallResult Ok(long value = 0) => new(value, 0);

    public static SyscallResult Fail(int errno) => new(-1, errno);

    public override string ToString() => IsError ? $"-1 {Linux.Errno.Name(Errno)}" : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
