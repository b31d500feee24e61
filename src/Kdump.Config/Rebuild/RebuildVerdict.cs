namespace Kdump.Config.Rebuild;

/// <summary><c>need_initrd_rebuild</c>'s return codes.</summary>
public enum RebuildVerdict
{
    UpToDate = 0,
    Rebuild = 1,
    Error = 2,
}
