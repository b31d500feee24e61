namespace Kdump.Kernel;

/// <summary>A VMCOREINFO line that could not be used, with its 1-based line number.</summary>
public sealed record VmcoreInfoDiagnostic(int Line, string Text, string Reason)
{
    public override string ToString() => $"VMCOREINFO line {Line}: {Reason}: \"{Text}\"";
}
