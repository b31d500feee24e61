using Kdump.Config.Messages;

namespace Kdump.Config.Conf;

/// <summary>Outcome of <see cref="KdumpConfValidator"/>: messages in upstream order, and the config when valid.</summary>
public sealed record KdumpConfValidation(KdumpConfig? Config, IReadOnlyList<KdumpMessage> Messages)
{
    public bool Succeeded => Config is not null;

    /// <summary>The first error (the one that stopped <c>parse_config</c>), if any.</summary>
    public KdumpMessage? Error => Messages.FirstOrDefault(m => m.Level == KdumpLogLevel.Error)
        ?? (Succeeded || Messages.Count == 0 ? null : Messages[^1]);
}
