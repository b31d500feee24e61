using System.Text;
using Kdump.Config.Conf;
using Kdump.Config.IO;
using Kdump.Initramfs.Devices;
using Kdump.Initramfs.Modules;
using Kdump.Initramfs.Record;

namespace Kdump.Initramfs;

/// <summary>
/// The part of the build kdumpctl's rebuild decision reads back (<see cref="BuildRecord"/>): the
/// mounts as dracut would have stored its <c>--mount</c> arguments, and the modules the image
/// carries. And, like dracut's host-only mode, the image carries the loadable block drivers of the
/// dump target, which kdumpctl checks for.
/// </summary>
public sealed partial class CaptureImageBuilder
{
    private BlockDevices? _blockDevices;

    private BlockDevices HostDevices => _blockDevices ??= new BlockDevices(new DirectoryRootFileSystem(_request.Root));

    /// <summary>Drivers (driver names, not yet checked against modules.dep) of the block dump target and its slaves.</summary>
    private IReadOnlyList<string> TargetBlockDrivers(KdumpConfReader conf)
    {
        var target = new DumpTargetFacts(conf, _request.Mounts, HostDevices, () => Fstab).BlockTarget();
        return HostDevices.DeviceNumber(target) is { } number ? HostDevices.BlockDrivers(number) : [];
    }

    /// <summary>
    /// build-parameter.txt: the host-only mode and one <c>--mount</c> per fstab line, target first
    /// (upstream's order), its device as <c>kdump_get_persistent_dev</c> names it (the fstab keeps
    /// UUID=/LABEL=, which the capture program resolves without udev);
    /// hostonly-kernel-modules.txt: the modules in the image.
    /// </summary>
    private void RecordBuild(string fstab, KdumpConfReader conf, IReadOnlyList<ModuleEntry> modules)
    {
        var args = new List<(string, string?)> { ("--hostonly", null), ("--hostonly-mode", "strict") };
        foreach (var line in fstab.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Fields stay escaped as in fstab (a blank is \040): kdumpctl splits the record at blanks
            // and compares an escaped mount point (upstream's findmnt -r escapes it too).
            var f = line.Split(' ');
            if (f.Length < 4) continue;
            var persistent = HostDevices.PersistentDevice(f[0]);
            if (persistent.Length == 0) persistent = DeviceSpec.Parse(f[0]).ToDevicePath();
            args.Add(("--mount", $"{persistent} {f[1]} {f[2]} {f[3]}"));
        }
        if (conf.GetValue("extra_modules") is { Length: > 0 } extra) args.Add(("--add-drivers", extra));
        args.Add(("--kver", _request.KernelVersion));
        _plan.AddFile(BuildRecord.BuildParametersPath, Encoding.UTF8.GetBytes(BuildRecord.FormatParameters(args)));
        _plan.AddFile(BuildRecord.HostonlyModulesPath, Encoding.UTF8.GetBytes(BuildRecord.FormatModules(modules.Select(m => m.Name))));
    }
}
