using GradSentry.Build.Tests.Support;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace GradSentry.Build.Tests;

public sealed class GradSentryScanTests : IDisposable
{
    readonly FakeTool _tool = new();
    readonly TempDirectory _work = TestPaths.NewTempDirectory();
    readonly MockBuildEngine _engine = new();

    public void Dispose()
    {
        _tool.Dispose();
        _work.Dispose();
    }

    GradSentryScan Task(int exitCode, string stdout = "", string stderr = "", params ITaskItem[] datasets)
    {
        return new GradSentryScan
        {
            BuildEngine = _engine,
            Datasets = datasets.Length > 0 ? datasets : [new TaskItem(_work.File("train.jsonl"))],
            Model = _work.File("model"),
            ReportDirectory = _work.File("report"),
            ToolCommand = _tool.Command,
            EnvironmentVariables = _tool.Environment(exitCode, stdout, stderr),
        };
    }

    [Fact]
    public void APassingScanLogsSuspectRowsAsWarningsWithCodeLocationAndHelpLink()
    {
        var file = _work.File("train.jsonl");
        var task = Task(0, $"{file}(12,1): warning GS1002: row 11 scored 0.93 above the threshold 0.71\n");

        Assert.True(task.Execute(), _engine.Log);

        var warning = Assert.Single(_engine.Warnings);
        Assert.Equal("GS1002", warning.Code);
        Assert.Equal(file, warning.File);
        Assert.Equal(12, warning.LineNumber);
        Assert.Equal(1, warning.ColumnNumber);
        Assert.Equal("row 11 scored 0.93 above the threshold 0.71", warning.Message);
        Assert.Equal("GS1002", warning.HelpKeyword);
        Assert.EndsWith("docs/rules/GS1002.md", warning.HelpLink, StringComparison.Ordinal);
        Assert.Empty(_engine.Errors);
    }

    [Fact]
    public void AFailedGateIsOneErrorFromTheToolAndNoMore()
    {
        var file = _work.File("train.jsonl");
        var task = Task(2, $"{file}: error GS1001: 6 of 20 rows flagged (30%), the limit is 0%\n{file}(3,1): warning GS1002: row 2\n");

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("GS1001", error.Code);
        Assert.Equal(file, error.File);
        Assert.Equal(0, error.LineNumber);
        Assert.Equal(2, task.ExitCode);
        Assert.Single(_engine.Warnings);
    }

    [Fact]
    public void ExitCodeTwoWithoutAFindingStillFailsWithGS1001()
    {
        var task = Task(2);

        Assert.False(task.Execute());

        Assert.Equal("GS1001", Assert.Single(_engine.Errors).Code);
    }

    [Fact]
    public void ExitCodeOneWithoutAFindingReportsAnInputErrorWithTheToolsLastWords()
    {
        var task = Task(1, stderr: "Unrecognized command or argument '--bogus'.\n");

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Contains("usage or input error", error.Message, StringComparison.Ordinal);
        Assert.Contains("--bogus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExitCodeThreeIsReportedAsAnInternalError()
    {
        var task = Task(3, stderr: "System.InvalidOperationException: boom\n");

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Contains("internal error", error.Message, StringComparison.Ordinal);
        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownExitCodeIsAnErrorNamingTheCode()
    {
        var task = Task(134);

        Assert.False(task.Execute());

        Assert.Contains("134", Assert.Single(_engine.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInputErrorWithItsOwnFindingKeepsTheToolsLocation()
    {
        var file = _work.File("train.jsonl");
        var task = Task(1, $"{file}(4,17): error GS2001: line 4 is not valid JSON\n");

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal(("GS2001", 4, 17), (error.Code, error.LineNumber, error.ColumnNumber));
    }

    [Fact]
    public void SeverityErrorMakesASuspectRowFailTheBuildEvenWhenTheGatePassed()
    {
        var task = Task(0, "f.jsonl(3,1): warning GS1002: row 2\n");
        task.Severity = "error";

        Assert.False(task.Execute());

        Assert.Equal("GS1002", Assert.Single(_engine.Errors).Code);
        Assert.Empty(_engine.Warnings);
    }

    [Fact]
    public void SeverityNoneKeepsSuspectRowsOutOfWarnings()
    {
        var task = Task(0, "f.jsonl(3,1): warning GS1002: row 2\n");
        task.Severity = "none";

        Assert.True(task.Execute());

        Assert.Empty(_engine.Warnings);
        Assert.Contains(_engine.Messages, m => m.Message!.Contains("suppressed GS1002", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnknownSeverityIsRejectedBeforeTheToolRuns()
    {
        var task = Task(0);
        task.Severity = "fatal";

        Assert.False(task.Execute());

        Assert.Contains("GradSentry_Severity", Assert.Single(_engine.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(_tool.Runs());
    }

    [Fact]
    public void TreatWarningsAsErrorsPromotesTheToolsWarnings()
    {
        var task = Task(0, "baseline.json(5,1): warning GS3001: entry matches no row\n");
        task.TreatWarningsAsErrors = true;

        Assert.False(task.Execute());

        Assert.Equal("GS3001", Assert.Single(_engine.Errors).Code);
    }

    [Fact]
    public void NoWarnSuppressesTheToolsWarnings()
    {
        var task = Task(0, "baseline.json(5,1): warning GS3001: entry matches no row\n");
        task.NoWarn = "CS1591;GS3001";

        Assert.True(task.Execute());

        Assert.Empty(_engine.Warnings);
    }

    [Fact]
    public void MessagesWithBracesAreLoggedVerbatim()
    {
        var task = Task(0, "f.jsonl(1,1): warning GS1002: response {0} {name} looked odd\n");

        Assert.True(task.Execute());

        Assert.Equal("response {0} {name} looked odd", Assert.Single(_engine.Warnings).Message);
    }

    [Fact]
    public void TheCommandLineCarriesDatasetsModelOptionsAndBothFormats()
    {
        var dataset = _work.File("my data/train set.jsonl");
        var task = Task(0, datasets: new TaskItem(dataset));
        task.MaxPoisonFraction = "0.05";
        task.Threshold = "top:0.1";
        task.Template = "alpaca";
        task.Baseline = _work.File("base line.json");
        task.FilteredOutput = _work.File("out/clean.jsonl");
        task.ErrorLog = _work.File("logs/scan.sarif");
        task.ScanArguments = "--device cpu --cache \"/tmp/a b\"";

        Assert.True(task.Execute(), _engine.Log);

        var args = Assert.Single(_tool.Runs());
        Assert.Equal(
            ["scan", dataset,
             "--model", _work.File("model"),
             "--threshold", "top:0.1",
             "--max-poison-fraction", "0.05",
             "--template", "alpaca",
             "--baseline", _work.File("base line.json"),
             "--filtered-output", _work.File("out/clean.jsonl"),
             "--format", "msbuild", "--format", "sarif", "--output", _work.File("logs/scan.sarif"),
             "--report", _work.File("report"),
             "--device", "cpu", "--cache", "/tmp/a b"],
            args);
    }

    [Fact]
    public void GradSentryScoreChoosesTheDetector()
    {
        var task = Task(0);
        task.Score = "reference";

        Assert.True(task.Execute(), _engine.Log);

        var args = Assert.Single(_tool.Runs()).ToList();
        Assert.Equal("reference", args[args.IndexOf("--score") + 1]);
    }

    [Fact]
    public void GradSentryChatTemplateChoosesHowChatRowsAreRendered()
    {
        var task = Task(0);
        task.ChatTemplate = "none";

        Assert.True(task.Execute(), _engine.Log);

        var args = Assert.Single(_tool.Runs()).ToList();
        Assert.Equal("none", args[args.IndexOf("--chat-template") + 1]);
    }

    [Fact]
    public void WithoutAnErrorLogOnlyMsbuildLinesAreAskedForBesideTheReportDirectory()
    {
        var task = Task(0);

        Assert.True(task.Execute(), _engine.Log);

        var args = Assert.Single(_tool.Runs());
        Assert.DoesNotContain("sarif", args);
        Assert.DoesNotContain("--output", args);
        Assert.DoesNotContain("--score", args);
        Assert.DoesNotContain("--chat-template", args);
        Assert.Equal(["--format", "msbuild", "--report", _work.File("report")], args[^4..]);
    }

    [Fact]
    public void AnErrorLogThatIsTheReportsOwnSarifFileIsNotWrittenTwice()
    {
        var task = Task(0);
        task.ErrorLog = Path.Combine(_work.File("report"), "gradsentry.sarif");

        Assert.True(task.Execute(), _engine.Log);

        Assert.DoesNotContain("--output", Assert.Single(_tool.Runs()));
    }

    [Fact]
    public void TheToolsSummaryLineIsShownAtMinimalVerbosity()
    {
        var task = Task(0, "GradSentry: 20 rows, 20 scored, 0 suspect (0.00 %, limit 0.00 %), 0 baselined, threshold 0.7000 (fixed): gate passed.\n");

        Assert.True(task.Execute(), _engine.Log);

        Assert.Contains(_engine.Messages, m => m.Importance == MessageImportance.High && m.Message!.StartsWith("GradSentry: 20 rows", StringComparison.Ordinal));
    }

    [Fact]
    public void TheLoggedCommandLineQuotesArgumentsWithSpaces()
    {
        var quoted = GradSentryScan.Quote(["scan", "/tmp/my data/train.jsonl", "--threshold", "auto", "", "say \"hi\""]);

        Assert.Equal("scan \"/tmp/my data/train.jsonl\" --threshold auto \"\" \"say \\\"hi\\\"\"", quoted);
    }

    [Fact]
    public void DatasetsWithDifferentMetadataAreScannedByRunsOfTheirOwn()
    {
        var a = new TaskItem(_work.File("a.jsonl"));
        var b = new TaskItem(_work.File("b.jsonl"));
        var c = new TaskItem(_work.File("c.jsonl"));
        c.SetMetadata("Model", _work.File("other-model"));
        c.SetMetadata("MaxPoisonFraction", "0.1");
        var task = Task(0, datasets: [a, b, c]);

        Assert.True(task.Execute(), _engine.Log);

        var runs = _tool.Runs();
        Assert.Equal(2, runs.Count);
        Assert.Equal(["scan", a.ItemSpec, b.ItemSpec, "--model", _work.File("model")], runs[0].Take(5));
        Assert.Equal(["scan", c.ItemSpec, "--model", _work.File("other-model"), "--threshold", "auto", "--max-poison-fraction", "0.1"], runs[1].Take(8));
        Assert.Contains(Path.Combine(_work.File("report"), "1"), runs[0]);
        Assert.Contains(Path.Combine(_work.File("report"), "2"), runs[1]);
    }

    [Fact]
    public void ADatasetWithoutAModelIsGS2002AndTheToolNeverRuns()
    {
        var task = Task(0);
        task.Model = "";

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("GS2002", error.Code);
        Assert.Equal(_work.File("train.jsonl"), error.File);
        Assert.Empty(_tool.Runs());
    }

    [Theory]
    [InlineData("-0.1")]
    [InlineData("1.5")]
    [InlineData("0,05")]
    [InlineData("lots")]
    public void AMaxPoisonFractionOutsideZeroToOneIsRejected(string value)
    {
        var task = Task(0);
        task.MaxPoisonFraction = value;

        Assert.False(task.Execute());

        Assert.Contains("MaxPoisonFraction", Assert.Single(_engine.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(_tool.Runs());
    }

    [Theory]
    [InlineData("dotnet \"{0} gradsentry")]
    [InlineData("\"unterminated")]
    public void AToolCommandThatNamesNoProgramIsAnErrorNamingTheProperty(string command)
    {
        var task = Task(0);
        task.ToolCommand = command;

        Assert.False(task.Execute());

        Assert.Contains("GradSentry_ToolCommand", Assert.Single(_engine.Errors).Message, StringComparison.Ordinal);
        Assert.Empty(_tool.Runs());
    }

    [Fact]
    public void NoDatasetsMeansNoRunAndSuccess()
    {
        var task = Task(2);
        task.Datasets = [];

        Assert.True(task.Execute(), _engine.Log);

        Assert.Empty(_tool.Runs());
    }

    [Fact]
    public void AToolThatIsNotOnPathIsAClearError()
    {
        var task = Task(0);
        task.ToolCommand = "gradsentry-definitely-not-installed scan";

        Assert.False(task.Execute());

        Assert.Contains("not found on PATH", Assert.Single(_engine.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FilesWrittenListTheSarifLogAndTheFilteredOutput()
    {
        var task = Task(0);
        task.FilteredOutput = _work.File("out/clean.jsonl");
        task.ErrorLog = _work.File("scan.sarif");

        Assert.True(task.Execute(), _engine.Log);

        var written = task.FilesWritten.Select(i => i.ItemSpec).ToList();
        Assert.True(Directory.Exists(_work.File("out")), "the filtered output's folder is created for the tool");
        Assert.Contains(_work.File("scan.sarif"), written);
        Assert.Contains(_work.File("out/clean.jsonl"), written);
    }

    [Fact]
    public void WithoutAToolManifestTheDefaultCommandRunsThisVersionOfTheToolThroughDotnetToolExec()
    {
        // A root manifest that lists other tools only: the search stops there.
        File.WriteAllText(_work.File("dotnet-tools.json"), """{ "version": 1, "isRoot": true, "tools": { "dotnet-ef": { "version": "9.0.0", "commands": ["dotnet-ef"] } } }""");
        var task = Task(0);
        task.ToolCommand = "";
        task.ProjectDirectory = _work.Path;

        var command = task.DefaultToolCommand();

        var version = typeof(GradSentryScanTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "GradSentryBuildVersion").Value;
        Assert.Equal($"dotnet tool exec GradSentry.Tool@{version} --", command);
        Assert.True(ToolCommand.TryParse(command)!.IsToolExec);
    }

    [Fact]
    public void AManifestAboveTheProjectThatListsTheToolKeepsTheLocalTool()
    {
        Directory.CreateDirectory(_work.File(".config"));
        File.WriteAllText(_work.File(".config/dotnet-tools.json"), """{ "version": 1, "isRoot": true, "tools": { "gradsentry.tool": { "version": "0.1.0", "commands": ["dotnet-gradsentry"] } } }""");
        Directory.CreateDirectory(_work.File("src/app"));
        var task = Task(0);
        task.ProjectDirectory = _work.File("src/app");

        Assert.Equal("dotnet gradsentry", task.DefaultToolCommand());
    }

    [Fact]
    public void GradSentryToolVersionChoosesTheVersionDotnetToolExecRuns()
    {
        File.WriteAllText(_work.File("dotnet-tools.json"), """{ "version": 1, "isRoot": true, "tools": {} }""");
        var task = Task(0);
        task.ProjectDirectory = _work.Path;
        task.ToolVersion = "0.2.0-beta";

        Assert.Equal("dotnet tool exec GradSentry.Tool@0.2.0-beta --", task.DefaultToolCommand());
    }

    [Fact]
    public void TheToolsMessagesNameMSBuildPropertiesNotCommandLineOptions()
    {
        var file = _work.File("train.jsonl");
        var task = Task(1,
            $"{file}(2,1): error GS2001: field 'prompt' is missing. Add the field, map another one (--prompt-field, --response-field), or choose a template\n",
            "error: --max-poison-fraction must be between 0 and 1 (got 2).\n");

        Assert.False(task.Execute());

        var messages = string.Join("\n", _engine.Errors.Select(e => e.Message));
        Assert.Contains("(GradSentry_PromptField, GradSentry_ResponseField)", messages, StringComparison.Ordinal);
        Assert.DoesNotContain("--prompt-field", messages, StringComparison.Ordinal);
        Assert.DoesNotContain("TemplateOptions", messages, StringComparison.Ordinal);
    }

    [Fact]
    public void ALastOutputLineWithAnOptionNamesItsProperty()
    {
        var task = Task(1, "", "error: --threshold: 'top:2' is not a fraction in (0, 1].\n");

        Assert.False(task.Execute());

        var error = Assert.Single(_engine.Errors).Message;
        Assert.Contains("GradSentry_Threshold: 'top:2'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("--threshold", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidMaxPoisonFractionPropertyIsNamedAsTheProperty()
    {
        var task = Task(0);
        task.MaxPoisonFraction = "5%";

        Assert.False(task.Execute());

        Assert.StartsWith("GradSentry: GradSentry_MaxPoisonFraction must be a number from 0 to 1", Assert.Single(_engine.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PromptAndResponseFieldsArePassedToTheTool()
    {
        var task = Task(0);
        task.PromptField = "question";
        task.ResponseField = "answer";

        Assert.True(task.Execute(), _engine.Log);

        var args = Assert.Single(_tool.Runs());
        Assert.Equal("question", args[args.IndexOf("--prompt-field") + 1]);
        Assert.Equal("answer", args[args.IndexOf("--response-field") + 1]);
    }
}
