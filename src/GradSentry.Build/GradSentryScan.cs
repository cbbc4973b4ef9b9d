using System.Diagnostics;
using System.Globalization;
using GradSentry.Tool.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GradSentry.Build;

/// <summary>
/// Runs <c>dotnet gradsentry scan ... --format msbuild --format sarif</c> out of process (libtorch never loads in
/// the MSBuild node) and turns the tool's canonical <c>file(line,col): error GS1001: message</c> lines into build
/// errors and warnings with codes, help links and locations. Datasets that share a model and options are scanned
/// by one run; items with other metadata get runs of their own.
/// </summary>
/// <remarks>
/// Exit codes of the tool: 0 the gate passed, 1 usage or input error, 2 the gate failed, 3 internal error. A
/// non-zero exit without a diagnostic on the tool's output is still reported as an error, with the tool's last
/// lines of output. Per-row findings (GS1002) follow <see cref="Severity"/>; warnings follow <see cref="NoWarn"/>,
/// <see cref="WarningsAsErrors"/>, <see cref="WarningsNotAsErrors"/> and <see cref="TreatWarningsAsErrors"/> as
/// the C# compiler applies them.
/// </remarks>
public sealed class GradSentryScan : ToolTask
{
    const int OutputTailLines = 20;

    /// <summary>The SARIF file the tool's <c>--report DIR</c> writes.</summary>
    const string ReportSarifName = "gradsentry.sarif";

    readonly List<string> _outputTail = [];
    readonly List<ITaskItem> _filesWritten = [];
    ToolCommand? _command;
    string? _executable;
    DiagnosticPolicy? _policy;
    ScanGroup? _group;
    int _errorsThisRun;
    volatile bool _cancelled;

    /// <summary>The dataset files. Optional metadata: <c>Model</c>, <c>MaxPoisonFraction</c>, <c>Threshold</c>, <c>Template</c>, <c>FilteredOutput</c>.</summary>
    [Required]
    public ITaskItem[] Datasets { get; set; } = [];

    /// <summary>Model directory (Hugging Face layout) for items without <c>Model</c> metadata.</summary>
    public string? Model { get; set; }

    /// <summary>The gate fails when flagged / scanned rows exceed this fraction.</summary>
    /// <value>Default <c>0</c>: any flagged row fails the gate.</value>
    public string MaxPoisonFraction { get; set; } = "0";

    /// <summary><c>auto</c> (KDE valley), a fixed score, or <c>top:F</c>.</summary>
    /// <value>Default <c>auto</c>.</value>
    public string Threshold { get; set; } = "auto";

    /// <summary>Prompt template name or file; empty leaves the tool's default.</summary>
    public string? Template { get; set; }

    /// <summary>
    /// The detector that decides (<c>--score</c>: <c>trigger-conditional</c>, <c>reference</c>, <c>length-controlled</c>,
    /// <c>onion</c>);
    /// empty leaves the tool's default, the trigger-conditional verdict.
    /// </summary>
    public string? Score { get; set; }

    /// <summary>
    /// How chat rows are rendered (<c>--chat-template</c>: <c>auto</c>, the model's own <c>chat_template</c>; <c>none</c>,
    /// <c>role: content</c> lines; or a Jinja file); empty leaves the tool's default, <c>auto</c>.
    /// </summary>
    public string? ChatTemplate { get; set; }

    /// <summary>The dataset field holding the prompt (<c>--prompt-field</c>); empty leaves the template's default.</summary>
    public string? PromptField { get; set; }

    /// <summary>The dataset field holding the response (<c>--response-field</c>); empty leaves the template's default.</summary>
    public string? ResponseField { get; set; }

    /// <summary>Severity of per-row findings (GS1002): <c>warning</c>, <c>error</c> or <c>none</c>.</summary>
    /// <value>Default <c>warning</c>.</value>
    public string Severity { get; set; } = "warning";

    /// <summary>A reviewed baseline file: rows listed there neither fail the gate nor warn.</summary>
    public string? Baseline { get; set; }

    /// <summary>Directory for the scan's reports.</summary>
    [Required]
    public string ReportDirectory { get; set; } = "";

    /// <summary>The SARIF log to write, like Roslyn's <c>ErrorLog</c>; empty leaves only the one in <see cref="ReportDirectory"/>.</summary>
    public string? ErrorLog { get; set; }

    /// <summary>Where to write the rows that pass, for items without <c>FilteredOutput</c> metadata; empty for none.</summary>
    public string? FilteredOutput { get; set; }

    /// <summary>How to start the tool: an executable and the arguments before <c>scan</c>.</summary>
    /// <value>
    /// Default empty: <c>dotnet gradsentry</c> when a local tool manifest (<c>.config/dotnet-tools.json</c> or
    /// <c>dotnet-tools.json</c>, from <see cref="ProjectDirectory"/> upwards) lists GradSentry.Tool; otherwise the SDK's
    /// one-shot runner, <c>dotnet tool exec GradSentry.Tool@</c><see cref="ToolVersion"/><c> --</c>, which fetches the
    /// tool from the project's own NuGet sources.
    /// </value>
    public string? ToolCommand { get; set; }

    /// <summary>The GradSentry.Tool version <c>dotnet tool exec</c> runs; default empty: this package's own version.</summary>
    public string? ToolVersion { get; set; }

    /// <summary>The project's folder: the tool runs there (its tool manifest and NuGet sources apply).</summary>
    public string? ProjectDirectory { get; set; }

    /// <summary>More arguments for <c>scan</c>, e.g. <c>--device cpu --batch-size 16</c> (split like <see cref="ToolCommand"/>).</summary>
    public string? ScanArguments { get; set; }

    /// <summary>Codes whose warnings are suppressed (the project's <c>NoWarn</c>).</summary>
    public string? NoWarn { get; set; }

    /// <summary>Codes whose warnings become errors (the project's <c>WarningsAsErrors</c>).</summary>
    public string? WarningsAsErrors { get; set; }

    /// <summary>Codes kept as warnings under <see cref="TreatWarningsAsErrors"/> (the project's <c>WarningsNotAsErrors</c>).</summary>
    public string? WarningsNotAsErrors { get; set; }

    /// <summary>Whether warnings become errors (the project's <c>TreatWarningsAsErrors</c>).</summary>
    public bool TreatWarningsAsErrors { get; set; }

    /// <summary>The reports, SARIF logs and filtered outputs the runs were asked to write (for <c>FileWrites</c>).</summary>
    [Output]
    public ITaskItem[] FilesWritten { get; private set; } = [];

    /// <inheritdoc />
    protected override string ToolName => _command?.Executable ?? "dotnet";

    /// <inheritdoc />
    public override bool Execute()
    {
        if (!TryPrepare(out var groups))
        {
            return false;
        }

        var passed = true;
        foreach (var group in groups)
        {
            if (_cancelled)
            {
                break;
            }

            _group = group;
            _errorsThisRun = 0;
            _outputTail.Clear();
            // The tool writes into existing folders only.
            Directory.CreateDirectory(group.ReportDirectory);
            foreach (var file in new[] { group.ErrorLog, group.FilteredOutput }.Where(f => f.Length > 0))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            }

            var ran = base.Execute();
            passed &= ran;
            AddFilesWritten(group);
            Log.LogMessage(
                MessageImportance.Normal,
                "GradSentry scanned {0} with model {1}: {2} (exit code {3}); reports in {4}",
                string.Join(", ", group.Datasets.Select(Path.GetFileName)),
                group.Model,
                ran && _errorsThisRun == 0 ? "passed" : "failed",
                ExitCode.ToString(CultureInfo.InvariantCulture),
                group.ReportDirectory);
        }

        _group = null;
        FilesWritten = [.. _filesWritten];
        return passed && !Log.HasLoggedErrors;
    }

    /// <summary>Checks parameters and groups the datasets; false after logging why not.</summary>
    bool TryPrepare(out List<ScanGroup> groups)
    {
        groups = [];
        if (!TryParseSeverity(Severity, out var rowSeverity))
        {
            Log.LogError($"GradSentry_Severity must be 'warning', 'error' or 'none'; got '{Severity}'.");
            return false;
        }

        _policy = DiagnosticPolicy.Create(rowSeverity, TreatWarningsAsErrors, NoWarn, WarningsAsErrors, WarningsNotAsErrors);
        var commandText = string.IsNullOrWhiteSpace(ToolCommand) ? DefaultToolCommand() : ToolCommand;
        _command = Build.ToolCommand.TryParse(commandText);
        if (_command is null)
        {
            Log.LogError($"GradSentry_ToolCommand '{ToolCommand}' does not name a program (or has an unterminated quote).");
            return false;
        }

        _executable = _command.ResolveExecutable(Environment.GetEnvironmentVariable);
        if (_executable is null)
        {
            Log.LogError($"GradSentry: '{_command.Executable}' (from GradSentry_ToolCommand '{commandText}') was not found on PATH.");
            return false;
        }

        if (Build.ToolCommand.Split(ScanArguments) is null)
        {
            Log.LogError($"GradSentry_ScanArguments '{ScanArguments}' has an unterminated quote.");
            return false;
        }

        if (Datasets.Length == 0)
        {
            Log.LogMessage(MessageImportance.Low, "GradSentry: no datasets to scan.");
            return true;
        }

        var keyed = new List<(string Key, ITaskItem Item, string Model, string Fraction, string Threshold, string Template, string Filtered)>();
        foreach (var item in Datasets)
        {
            var model = Metadata(item, "Model", Model);
            var fraction = Metadata(item, "MaxPoisonFraction", MaxPoisonFraction);
            var threshold = Metadata(item, "Threshold", Threshold);
            var template = Metadata(item, "Template", Template);
            var filtered = Metadata(item, "FilteredOutput", FilteredOutput);
            if (model.Length == 0)
            {
                LogDiagnostic(DiagnosticIds.ModelCannotBeLoaded, EffectiveSeverity.Error, item.GetMetadata("FullPath"), 0, 0, 0, 0,
                    "No model is given for this dataset: set the GradSentry_Model property or the item's Model metadata to a Hugging Face model directory.");
                continue;
            }

            if (!double.TryParse(fraction, NumberStyles.Float, CultureInfo.InvariantCulture, out var limit) || !(limit >= 0 && limit <= 1))
            {
                var source = string.IsNullOrWhiteSpace(item.GetMetadata("MaxPoisonFraction")) ? "GradSentry_MaxPoisonFraction" : $"the MaxPoisonFraction metadata of '{item.ItemSpec}'";
                Log.LogError($"GradSentry: {source} must be a number from 0 to 1 (invariant culture, e.g. 0.05); got '{fraction}'.");
                continue;
            }

            if (threshold.Length == 0)
            {
                threshold = "auto";
            }

            model = Path.GetFullPath(model);
            filtered = filtered.Length == 0 ? "" : Path.GetFullPath(filtered);
            var key = string.Join("\n", model, fraction, threshold, template, filtered);
            keyed.Add((key, item, model, fraction, threshold, template, filtered));
        }

        if (Log.HasLoggedErrors)
        {
            return false;
        }

        var grouped = keyed.GroupBy(k => k.Key, StringComparer.Ordinal).ToList();
        var filteredTargets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < grouped.Count; i++)
        {
            var first = grouped[i].First();
            if (first.Filtered.Length > 0 && !filteredTargets.Add(first.Filtered))
            {
                Log.LogError($"GradSentry: datasets scanned with different options would all write the filtered output '{first.Filtered}'; give each group its own FilteredOutput metadata.");
                return false;
            }

            var suffix = grouped.Count == 1 ? "" : (i + 1).ToString(CultureInfo.InvariantCulture);
            var reportDirectory = Path.GetFullPath(suffix.Length == 0 ? ReportDirectory : Path.Combine(ReportDirectory, suffix));
            var errorLog = string.IsNullOrWhiteSpace(ErrorLog)
                ? ""
                : Path.GetFullPath(suffix.Length == 0 ? ErrorLog : Path.ChangeExtension(ErrorLog, suffix + Path.GetExtension(ErrorLog)));
            if (string.Equals(errorLog, Path.Combine(reportDirectory, ReportSarifName), StringComparison.Ordinal))
            {
                // --report writes that very file already.
                errorLog = "";
            }
            groups.Add(new ScanGroup(
                [.. grouped[i].Select(k => k.Item.GetMetadata("FullPath"))],
                first.Model,
                first.Fraction,
                first.Threshold,
                first.Template,
                first.Filtered,
                reportDirectory,
                errorLog));
        }

        return true;
    }

    /// <summary>The arguments after the tool command, one element per argument (no quoting).</summary>
    internal IReadOnlyList<string> ScanArgumentList(ScanGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var args = new List<string>(_command?.Arguments ?? []) { "scan" };
        args.AddRange(group.Datasets);
        args.AddRange(["--model", group.Model]);
        args.AddRange(["--threshold", group.Threshold]);
        args.AddRange(["--max-poison-fraction", group.MaxPoisonFraction]);
        if (!string.IsNullOrWhiteSpace(Score))
        {
            args.AddRange(["--score", Score.Trim()]);
        }

        if (!string.IsNullOrWhiteSpace(ChatTemplate))
        {
            args.AddRange(["--chat-template", ChatTemplate.Trim()]);
        }

        if (group.Template.Length > 0)
        {
            args.AddRange(["--template", group.Template]);
        }

        if (!string.IsNullOrWhiteSpace(PromptField))
        {
            args.AddRange(["--prompt-field", PromptField.Trim()]);
        }

        if (!string.IsNullOrWhiteSpace(ResponseField))
        {
            args.AddRange(["--response-field", ResponseField.Trim()]);
        }

        if (!string.IsNullOrWhiteSpace(Baseline))
        {
            args.AddRange(["--baseline", Path.GetFullPath(Baseline)]);
        }

        if (group.FilteredOutput.Length > 0)
        {
            args.AddRange(["--filtered-output", group.FilteredOutput]);
        }

        // msbuild lines go to standard output; the SARIF log to its own file (--output takes the one non-msbuild
        // format); --report writes every format, SARIF included, into the report directory.
        args.AddRange(["--format", "msbuild"]);
        if (group.ErrorLog.Length > 0)
        {
            args.AddRange(["--format", "sarif", "--output", group.ErrorLog]);
        }

        args.AddRange(["--report", group.ReportDirectory]);
        args.AddRange(Build.ToolCommand.Split(ScanArguments) ?? []);
        return args;
    }

    /// <summary>
    /// The arguments as one command line for the log: an argument with whitespace or quotes is wrapped in double
    /// quotes, with <c>\"</c> for a quote inside. (The process itself gets the arguments one by one.)
    /// </summary>
    internal static string Quote(IEnumerable<string> arguments) =>
        string.Join(" ", arguments.Select(a =>
            a.Length > 0 && !a.Any(c => char.IsWhiteSpace(c) || c == '"')
                ? a
                : "\"" + a.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));

    /// <summary>
    /// The command when <see cref="ToolCommand"/> is empty: the local tool when a manifest lists it, else
    /// <c>dotnet tool exec GradSentry.Tool@VERSION --</c>.
    /// </summary>
    internal string DefaultToolCommand()
    {
        var directory = string.IsNullOrWhiteSpace(ProjectDirectory) ? Directory.GetCurrentDirectory() : ProjectDirectory;
        var manifest = LocalToolManifest.Providing(directory, ToolPackageId);
        if (manifest is not null)
        {
            Log.LogMessage(MessageImportance.Low, "GradSentry: running the local tool listed in {0}.", manifest);
            return Build.ToolCommand.Default;
        }

        var version = string.IsNullOrWhiteSpace(ToolVersion) ? OwnVersion() : ToolVersion.Trim();
        Log.LogMessage(MessageImportance.Low, "GradSentry: no tool manifest lists {0}; running {0} {1} with 'dotnet tool exec'.", ToolPackageId, version);
        return $"dotnet tool exec {ToolPackageId}@{version} --";
    }

    /// <summary>This package's version (the task assembly's informational version without its commit).</summary>
    internal static string OwnVersion()
    {
        var informational = typeof(GradSentryScan).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }

    const string ToolPackageId = "GradSentry.Tool";

    /// <inheritdoc />
    protected override string GenerateFullPathToTool() => _executable ?? "dotnet";

    /// <inheritdoc />
    protected override string? GetWorkingDirectory() =>
        string.IsNullOrWhiteSpace(ProjectDirectory) ? base.GetWorkingDirectory() : ProjectDirectory;

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands() =>
        _group is null ? "" : Quote(ScanArgumentList(_group));

    /// <inheritdoc />
    protected override ProcessStartInfo GetProcessStartInfo(string pathToTool, string commandLineCommands, string responseFileSwitch)
    {
        var info = base.GetProcessStartInfo(pathToTool, commandLineCommands, responseFileSwitch);
        if (_group is not null)
        {
            // Pass each argument as is: no quoting rules to get wrong for paths with spaces or quotes.
            info.Arguments = "";
            info.ArgumentList.Clear();
            foreach (var argument in ScanArgumentList(_group))
            {
                info.ArgumentList.Add(argument);
            }
        }

        // Plain text for the log: no colours, no interactive progress.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    /// <inheritdoc />
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        var diagnostic = CanonicalDiagnostic.TryParse(singleLine);
        if (diagnostic is null)
        {
            if (!string.IsNullOrWhiteSpace(singleLine))
            {
                _outputTail.Add(singleLine);
                if (_outputTail.Count > OutputTailLines)
                {
                    _outputTail.RemoveAt(0);
                }
            }

            // The tool's one-line outcome ("GradSentry: 200 rows, ... gate passed.") is worth seeing at minimal verbosity.
            var importance = singleLine.StartsWith("GradSentry: ", StringComparison.Ordinal) ? MessageImportance.High : messageImportance;
            base.LogEventsFromTextOutput(MsBuildWording.Rewrite(singleLine), importance);
            return;
        }

        var severity = _policy!.Resolve(diagnostic.Code, diagnostic.Severity);
        LogDiagnostic(diagnostic.Code, severity, diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.EndLine, diagnostic.EndColumn, MsBuildWording.Rewrite(diagnostic.Message));
    }

    /// <inheritdoc />
    protected override bool HandleTaskExecutionErrors()
    {
        if (_errorsThisRun > 0 || Log.HasLoggedErrors)
        {
            // The tool said what went wrong; a second, vaguer error would only add noise.
            return false;
        }

        var datasets = _group is null ? "" : string.Join(", ", _group.Datasets);
        var tail = _outputTail.Count == 0 ? "" : " Last output: " + MsBuildWording.Rewrite(string.Join(" | ", _outputTail));
        var hint = _command switch
        {
            { IsLocalTool: true } => " Is the tool installed? Run 'dotnet tool restore' (GradSentry.Tool in the tool manifest) or set GradSentry_ToolCommand.",
            { IsToolExec: true } => $" The gate ran GradSentry.Tool with '{string.Join(" ", _command.Arguments.Take(3))}' because no tool manifest lists it: is GradSentry.Tool of that version on one of the project's NuGet sources? Or set GradSentry_ToolCommand.",
            _ => "",
        };
        switch (ExitCode)
        {
            case 2:
                LogDiagnostic(DiagnosticIds.PoisonFractionOverLimit, EffectiveSeverity.Error, datasets, 0, 0, 0, 0,
                    $"The gate failed (gradsentry exit code 2) without a finding on its output; see the report in '{_group?.ReportDirectory}'.{tail}");
                break;
            case 1:
                Log.LogError(null, null, null, null, 0, 0, 0, 0,
                    $"gradsentry scan reported a usage or input error (exit code 1) for {datasets}.{hint}{tail}");
                break;
            case 74:
                Log.LogError(null, null, null, null, 0, 0, 0, 0,
                    $"gradsentry scan could not write its output or score cache (exit code 74, an input/output error such as a full disk) for {datasets}.{tail}");
                break;
            case 3:
                Log.LogError(null, null, null, null, 0, 0, 0, 0,
                    $"gradsentry scan failed with an internal error (exit code 3) for {datasets}; please report it.{tail}");
                break;
            default:
                Log.LogError(null, null, null, null, 0, 0, 0, 0,
                    $"gradsentry scan exited with code {ExitCode.ToString(CultureInfo.InvariantCulture)} for {datasets}.{hint}{tail}");
                break;
        }

        return false;
    }

    /// <inheritdoc />
    public override void Cancel()
    {
        // Stop the running scan and start no other.
        _cancelled = true;
        base.Cancel();
    }

    /// <inheritdoc />
    protected override void LogToolCommand(string message) => Log.LogMessage(MessageImportance.Normal, "{0}", message);

    void LogDiagnostic(string code, EffectiveSeverity severity, string file, int line, int column, int endLine, int endColumn, string message)
    {
        var helpLink = DiagnosticIds.HelpLinkBase + code + ".md";
        switch (severity)
        {
            case EffectiveSeverity.Error:
                _errorsThisRun++;
                Log.LogError(null, code, code, helpLink, file, line, column, endLine, endColumn, "{0}", message);
                break;
            case EffectiveSeverity.Warning:
                Log.LogWarning(null, code, code, helpLink, file, line, column, endLine, endColumn, "{0}", message);
                break;
            default:
                Log.LogMessage(MessageImportance.Low, "{0}({1}): suppressed {2}: {3}", file, line.ToString(CultureInfo.InvariantCulture), code, message);
                break;
        }
    }

    void AddFilesWritten(ScanGroup group)
    {
        if (group.ErrorLog.Length > 0)
        {
            _filesWritten.Add(new TaskItem(group.ErrorLog));
        }

        if (group.FilteredOutput.Length > 0)
        {
            _filesWritten.Add(new TaskItem(group.FilteredOutput));
        }

        if (Directory.Exists(group.ReportDirectory))
        {
            foreach (var file in Directory.EnumerateFiles(group.ReportDirectory))
            {
                _filesWritten.Add(new TaskItem(file));
            }
        }
    }

    static string Metadata(ITaskItem item, string name, string? fallback)
    {
        var value = item.GetMetadata(name);
        return string.IsNullOrWhiteSpace(value) ? (fallback ?? "").Trim() : value.Trim();
    }

    static bool TryParseSeverity(string? text, out RowSeverity severity)
    {
        switch ((text ?? "").Trim().ToUpperInvariant())
        {
            case "" or "WARNING":
                severity = RowSeverity.Warning;
                return true;
            case "ERROR":
                severity = RowSeverity.Error;
                return true;
            case "NONE":
                severity = RowSeverity.None;
                return true;
            default:
                severity = RowSeverity.Warning;
                return false;
        }
    }
}
