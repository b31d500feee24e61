namespace Kdump.Capture.Tests;

/// <summary>
/// The VM test classes of this assembly run one after another: xUnit runs classes side by side,
/// and two guests under TCG on two cores (plus their static publishes into one obj/) is what
/// broke CI's link step. CI's suite-wide heavy lock does not serialise them, see eng/lib/heavy-lock.sh.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QemuGuests
{
    public const string Name = "QEMU guests";
}
