using System.Text;
using Kdump.Config;
using Kdump.Config.Conf;
using Kdump.Initramfs.Image;

namespace Kdump.Initramfs.Dracut;

/// <summary>
/// mkdumprd's dracut backend: the minimal backend's checks and plan decide what kdump needs
/// (normalised kdump.conf, target mounts, programs, modules); our dracut module puts those files
/// into a dracut image and runs the capture program from a pre-mount hook; dracut itself is run
/// from an argv with upstream's options (<see cref="DracutCommandLine"/>).
/// </summary>
public sealed class DracutImageBuilder
{
    private readonly DracutImageRequest _request;

    public DracutImageBuilder(DracutImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _request = request;
    }

    /// <summary>Runs dracut; returns its exit status (mkdumprd's, as upstream's last command).</summary>
    public int Build()
    {
        var capture = _request.Capture;
        var root = new RootedPath(capture.Root);
        var confHost = root.Host(CaptureImageBuilder.ConfPath);
        var conf = KdumpConfReader.Parse(File.Exists(confHost) ? File.ReadAllText(confHost) : "", CaptureImageBuilder.ConfPath);
        IReadOnlyList<string> dracutArgs;
        try { dracutArgs = DracutArguments.Split(conf.GetValue("dracut_args")); }
        catch (KdumpConfigException e) { throw new InitramfsBuildException(e.Message, e); }

        var image = new CaptureImageBuilder(capture with { OnWarning = w => _request.Output.WriteLine($"kdump: {w}") }).Build();

        var stage = Directory.CreateTempSubdirectory("mkdumprd.");
        try
        {
            DracutStage.Write(image.Plan, stage.FullName);
            var environment = new Dictionary<string, string>(_request.Dracut.ModuleEnvironment(_request.ModuleSource, stage.FullName))
            {
                [DracutStage.EnvironmentVariable] = stage.FullName,
                // upstream's mkdumprd exports it for its module's check()
                ["IN_KDUMP"] = "1",
            };
            var fstab = image.Plan.Get(CaptureImage.FstabPath)?.Content is { } bytes
                ? Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                : [];
            var argv = DracutCommandLine.Build(new DracutCommandLineInputs
            {
                Program = _request.Dracut.Program,
                Conf = conf,
                DracutArgs = dracutArgs,
                Fstab = fstab,
                Drivers = image.Modules.Select(m => m.Name).ToList(),
                Compression = _request.Compression,
                ModuleDirectory = root.Root.Length == 0 ? null : root.Host("/lib/modules/" + capture.KernelVersion),
                Debug = _request.Debug,
                Image = _request.Image,
                KernelVersion = capture.KernelVersion,
            });
            return _request.Runner.Run(argv, environment, _request.Output);
        }
        finally
        {
            stage.Delete(recursive: true);
        }
    }
}
