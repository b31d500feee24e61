using Kdump.Config.Messages;
using Kdump.Config.Shell;

namespace Kdump.Config.Conf;

/// <summary>
/// The strict reader: kdumpctl <c>parse_config</c> / <c>_set_config</c> (kdumpctl:317-406) and the
/// checks it runs afterwards (failure/final action, fence_kdump nodes, ssh). Stops at the first
/// error like upstream; warnings before it are kept.
/// </summary>
public static class KdumpConfValidator
{
    /// <summary>Directives accepted without special handling (the plain arm of the <c>case</c>).</summary>
    public static readonly IReadOnlySet<string> PlainOptions = new HashSet<string>(StringComparer.Ordinal)
    {
        "path", "core_collector", "kdump_post", "kdump_pre", "kdump_emergency", "extra_bins", "extra_modules",
        "failure_action", "final_action", "force_rebuild", "force_no_rebuild", "fence_kdump_args",
        "fence_kdump_nodes", "auto_reset_crashkernel",
    };

    /// <summary>Directives removed from kdump-utils: using one is an error.</summary>
    public static readonly IReadOnlySet<string> DeprecatedOptions = new HashSet<string>(StringComparer.Ordinal)
    {
        "net", "options", "link_delay", "disk_timeout", "debug_mem_level", "blacklist",
    };

    public static KdumpConfValidation Validate(KdumpConfReader conf, KdumpConfValidationContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(conf);
        context ??= new KdumpConfValidationContext();
        var messages = new List<KdumpMessage>();
        var opt = new Dictionary<string, string>(StringComparer.Ordinal);

        KdumpConfValidation Fail(KdumpMessage m)
        {
            messages.Add(m);
            return new KdumpConfValidation(null, messages);
        }

        // _set_config: empty value, then "already set" (target keys get their own message).
        KdumpMessage? Set(string key, string value, int line)
        {
            if (value.Length == 0) return KdumpLog.Error(KdumpctlText.InvalidValue(key), line);
            if (opt.ContainsKey(key))
            {
                return key is "_target" or "_fstype"
                    ? KdumpLog.Error(KdumpctlText.MoreThanOneTarget, line)
                    : KdumpLog.Error(KdumpctlText.Duplicated(key), line);
            }
            opt[key] = value;
            return null;
        }

        foreach (var line in conf.Lines)
        {
            var option = line.Option;
            // kdump_read_conf prints "opt val" and parse_config reads it back with `read -r`,
            // which trims the value once more (a quoted " x " arrives as "x").
            var value = line.Value.Trim(ShellChars.IfsWhitespace);
            var n = line.LineNumber;

            switch (option)
            {
                case "dracut_args":
                    if (value.Contains("--mount", StringComparison.Ordinal))
                    {
                        if (DracutArguments.CountMountOptions(value) != 1)
                            return Fail(KdumpLog.Error(KdumpctlText.MultipleMountTargets, n));
                        var (mountTarget, mountFsType) = DracutArguments.UpstreamMountFields(value);
                        if (Set("_fstype", mountFsType, n) is { } e1) return Fail(e1);
                        if (Set("_target", mountTarget, n) is { } e2) return Fail(e2);
                    }
                    break;
                case var t when DumpTarget.Directives.ContainsKey(t):
                    if (t == "raw" && context.OpalDumpPresent) messages.Add(KdumpLog.Warning(KdumpctlText.OpalRawWarning, n));
                    if (Set("_fstype", t, n) is { } e3) return Fail(e3);
                    option = "_target";
                    break;
                case "sshkey":
                    if (value.Length == 0) return Fail(KdumpLog.Error(KdumpctlText.InvalidValue(option), n));
                    if (context.FileExists(value))
                    {
                        value = context.Canonicalize(value);
                    }
                    else
                    {
                        messages.Add(KdumpLog.Warning(KdumpctlText.SshKeyMissing(value), n));
                        value = KdumpctlText.DefaultSshKey;
                    }
                    break;
                case "default":
                    messages.Add(KdumpLog.Warning(KdumpctlText.DefaultRenamed, n));
                    messages.Add(KdumpLog.Warning(KdumpctlText.DefaultRenamedHint(context.ConfigFile), n));
                    if (Set("failure_action", value, n) is { } e4) return Fail(e4);
                    break;
                case var p when PlainOptions.Contains(p):
                    break;
                case var d when DeprecatedOptions.Contains(d):
                    return Fail(KdumpLog.Error(KdumpctlText.Deprecated(option), n));
                case "":
                    continue;
                default:
                    return Fail(KdumpLog.Error(KdumpctlText.InvalidOption(option), n));
            }

            if (Set(option, value, n) is { } e5) return Fail(e5);
        }

        opt.TryAdd("path", KdumpctlText.DefaultPath);
        opt.TryAdd("sshkey", KdumpctlText.DefaultSshKey);

        // check_failure_action_config / check_final_action_config: dinfo, then failure.
        KdumpAction? failure = null, final = null;
        if (opt.TryGetValue("failure_action", out var fa))
        {
            if (!KdumpActions.TryParseFailureAction(fa, out var a)) return Fail(KdumpLog.Info(KdumpctlText.FailureActionUsage, LineOf(conf, "failure_action", "default")));
            failure = a;
        }
        if (opt.TryGetValue("final_action", out var fi))
        {
            if (!KdumpActions.TryParseFinalAction(fi, out var a)) return Fail(KdumpLog.Info(KdumpctlText.FinalActionUsage, LineOf(conf, "final_action")));
            final = a;
        }

        // check_fence_kdump_config. Upstream greps "$node " in "$(hostname -I) " (a substring
        // regex); we compare whole addresses, see docs/compat/kdump.conf.md.
        var nodes = opt.TryGetValue("fence_kdump_nodes", out var nv) ? ShellChars.SplitWords(nv) : [];
        foreach (var node in nodes)
        {
            var line = LineOf(conf, "fence_kdump_nodes");
            if (context.Hostname.Length > 0 && node == context.Hostname)
                return Fail(KdumpLog.Error(KdumpctlText.FenceNodeIsLocal(context.Hostname), line));
            if (context.HostAddresses.Contains(node, StringComparer.Ordinal))
                return Fail(KdumpLog.Error(KdumpctlText.FenceNodeIsLocal(node), line));
        }

        DumpTarget? dumpTarget = null;
        if (opt.TryGetValue("_fstype", out var fsType) && opt.TryGetValue("_target", out var targetValue))
        {
            var kind = conf.Lines.Any(l => l.Option == "dracut_args" && l.Value.Contains("--mount", StringComparison.Ordinal))
                && !conf.Lines.Any(l => DumpTarget.Directives.ContainsKey(l.Option))
                ? DumpTargetKind.DracutMount
                : DumpTarget.Directives[fsType];
            dumpTarget = new DumpTarget(kind, fsType, targetValue);
        }

        // check_ssh_config.
        if (dumpTarget is { Kind: DumpTargetKind.Ssh })
        {
            var line = LineOf(conf, "ssh");
            var resolved = context.SshHostname(dumpTarget.Value);
            if (!dumpTarget.Value.Contains('@', StringComparison.Ordinal))
                return Fail(KdumpLog.Error(KdumpctlText.SshFormat(context.ConfigFile), line));
            var host = dumpTarget.Value[(dumpTarget.Value.IndexOf('@', StringComparison.Ordinal) + 1)..];
            // A destination starting with '-' would reach ssh as an option (-oProxyCommand=… runs a command).
            if (host != resolved || dumpTarget.Value.StartsWith('-'))
                return Fail(KdumpLog.Error(KdumpctlText.InvalidSshDestination(dumpTarget.Value), line));
        }

        // Not in parse_config: mkdumprd splits dracut_args with xargs and fails there with the
        // same message; we report it now so nothing is half-built.
        IReadOnlyList<string> dracutArgv = [];
        if (opt.TryGetValue("dracut_args", out var da))
        {
            try
            {
                dracutArgv = XargsSplitter.Split(da);
            }
            catch (KdumpConfigException e)
            {
                return Fail(KdumpLog.Error(e.Message, LineOf(conf, "dracut_args")));
            }
        }

        var config = new KdumpConfig
        {
            Target = dumpTarget,
            Path = opt["path"],
            SshKey = opt["sshkey"],
            CoreCollector = opt.GetValueOrDefault("core_collector"),
            KdumpPre = opt.GetValueOrDefault("kdump_pre"),
            KdumpPost = opt.GetValueOrDefault("kdump_post"),
            KdumpEmergency = opt.GetValueOrDefault("kdump_emergency"),
            ExtraBins = ShellChars.SplitWords(opt.GetValueOrDefault("extra_bins")),
            ExtraModules = ShellChars.SplitWords(opt.GetValueOrDefault("extra_modules")),
            FailureAction = failure,
            FinalAction = final,
            ForceRebuild = opt.GetValueOrDefault("force_rebuild"),
            ForceNoRebuild = opt.GetValueOrDefault("force_no_rebuild"),
            DracutArgs = opt.GetValueOrDefault("dracut_args"),
            DracutArgv = dracutArgv,
            FenceKdumpArgs = opt.GetValueOrDefault("fence_kdump_args"),
            FenceKdumpNodes = nodes,
            AutoResetCrashkernel = opt.GetValueOrDefault("auto_reset_crashkernel"),
            Options = opt,
        };
        return new KdumpConfValidation(config, messages);
    }

    private static int? LineOf(KdumpConfReader conf, params ReadOnlySpan<string> options)
    {
        int? found = null;
        foreach (var l in conf.Lines)
        {
            foreach (var o in options)
            {
                if (l.Option == o) found = l.LineNumber;
            }
        }
        return found;
    }
}
