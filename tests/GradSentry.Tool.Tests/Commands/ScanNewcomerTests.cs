using System.Text.Json;
using GradSentry.Tool.Commands;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>The tool as a newcomer types it: no model, a stray blank line, a CSV without header, `scan --filtered-output && finetune`.</summary>
public class ScanNewcomerTests
{
    static string TinyModel => Path.Combine(ToolProcess.RepoRoot, "samples", "models", "tiny-llama");

    [Fact]
    public void WithoutAModelTheDemoModelWarningIsOnStandardErrorAndInEveryReport()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 8);

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--device", "cpu", "--threshold", "0.99", "--report", "reports");

        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        Assert.Contains("warning: scored with the bundled demo model, not the model you will fine-tune", result.Stderr, StringComparison.Ordinal);
        foreach (var report in new[] { "gradsentry.txt", "gradsentry.json", "gradsentry.sarif", "gradsentry.html", "gradsentry.msbuild.log", "gradsentry.csv" })
            Assert.Contains("scored with the bundled demo model, not the model you will fine-tune", File.ReadAllText(folder.File("reports/" + report)), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("reports/gradsentry.json")));
        Assert.Equal(GradSentry.DemoModel.Warning, json.RootElement.GetProperty("warnings")[0].GetString());
        // The CSV has a warnings column: every row carries the scan's warnings, so a spreadsheet shows them next to the scores.
        var csv = File.ReadAllLines(folder.File("reports/gradsentry.csv"));
        Assert.EndsWith(",warnings", csv[0], StringComparison.Ordinal);
        Assert.All(csv.Skip(1), line => Assert.EndsWith(GradSentry.Tool.Formatters.CsvFormatter.Quote(GradSentry.DemoModel.Warning), line, StringComparison.Ordinal));
    }

    [Fact]
    public void AGivenModelHasNoDemoModelWarning()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 8);

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--model", TinyModel, "--device", "cpu", "--threshold", "0.99", "--output", "r.json");

        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        Assert.DoesNotContain("demo model", result.Stderr, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("r.json")));
        Assert.Equal(0, json.RootElement.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void BlankLinesAreSkippedCountedAndLineNumbersStayTheFilesOwn()
    {
        using var folder = new TempFolder();
        var lines = File.ReadAllLines(TestData.WriteJsonl(folder.File("data.jsonl"), 8));
        // A blank line in the middle and one trailing blank line (the usual editor artefact).
        File.WriteAllText(folder.File("data.jsonl"), string.Join("\n", lines[..3]) + "\n\n" + string.Join("\n", lines[3..]) + "\n\n");

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--model", TinyModel, "--device", "cpu", "--threshold", "top:0.125",
            "--max-poison-fraction", "0.5", "--output", "r.json");

        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("r.json")));
        Assert.Equal(8, json.RootElement.GetProperty("statistics").GetProperty("rows").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("statistics").GetProperty("blankLinesSkipped").GetInt32());
        // Rows after the blank line keep their physical line numbers (row 3 is on line 5).
        var suspect = json.RootElement.GetProperty("diagnostics").EnumerateArray().Single(d => d.GetProperty("id").GetString() == "GS1002");
        Assert.Contains(suspect.GetProperty("line").GetInt32(), new[] { 1, 2, 3, 5, 6, 7, 8, 9 });
    }

    [Fact]
    public void ACsvWithoutAHeaderIsAHeaderErrorAtLineOne()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("nohdr.csv"), "What is 2+2?,4\nName a colour,Blue\n");

        var result = ToolProcess.Run(folder.Path, "scan", "nohdr.csv", "--model", TinyModel, "--device", "cpu");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("nohdr.csv(1,1): error GS2001: the header row has no 'prompt' column (columns: 'What is 2+2?', '4'); is the header missing?", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void FilterOnlyExitsZeroOnceTheCleanFileIsWritten()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 8);

        var gate = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--model", TinyModel, "--device", "cpu", "--threshold", "top:0.25", "--filtered-output", "gated.jsonl");
        var filter = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--model", TinyModel, "--device", "cpu", "--threshold", "top:0.25", "--filtered-output", "clean.jsonl", "--filter-only");

        // The gate alone fails after writing the clean file, and warns that top:F with limit 0 always does.
        Assert.True(gate.ExitCode == ExitCodes.GateFailed, gate.ToString());
        Assert.Contains("--threshold top:0.25 always flags rows, so with --max-poison-fraction 0 (the default) the gate always fails", gate.Stderr, StringComparison.Ordinal);
        Assert.True(filter.ExitCode == ExitCodes.Passed, filter.ToString());
        Assert.DoesNotContain("always fails", filter.Stderr, StringComparison.Ordinal);
        Assert.Contains("--filter-only: 2 suspect row(s) left out of clean.jsonl; exit 0.", filter.Stderr, StringComparison.Ordinal);
        Assert.Equal(6, File.ReadAllLines(folder.File("clean.jsonl")).Length);
    }

    [Fact]
    public void FilterOnlyNeedsAFilteredOutput()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--filter-only");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("--filter-only", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--filtered-output FILE", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("r.json", "json")]
    [InlineData("r.sarif", "sarif")]
    [InlineData("r.csv", "csv")]
    [InlineData("r.html", "html")]
    [InlineData("r.txt", "text")]
    [InlineData("r.out", null)]
    public void TheOutputFilesExtensionChoosesTheFormat(string output, string? format) =>
        Assert.Equal(format, ReportOptionSet.FormatOf(output));

    [Fact]
    public void AJsonOutputFileGetsJsonAndReportCreatesMissingParents()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--model", TinyModel, "--device", "cpu", "--threshold", "0.99",
            "--output", "r.json", "--report", "out/deep/reports");

        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(folder.File("r.json")));
        Assert.Equal("gradsentry", json.RootElement.GetProperty("tool").GetProperty("name").GetString());
        Assert.True(File.Exists(folder.File("out/deep/reports/gradsentry.html")));
    }

    [Fact]
    public void AModelPathThatIsAFileSaysSo()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--model", Path.Combine(TinyModel, "model.safetensors"), "--device", "cpu");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("model.safetensors' is a file, not a directory; pass the folder that holds it", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenModelFileIsReportedWithoutTheJsonReadersInternals()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);
        Directory.CreateDirectory(folder.File("model"));
        foreach (var file in Directory.EnumerateFiles(TinyModel))
            File.Copy(file, folder.File("model/" + Path.GetFileName(file)));
        File.WriteAllText(folder.File("model/tokenizer.json"), "[1,\n");

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--model", "model", "--device", "cpu");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("tokenizer.json", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber:", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("BytePositionInLine", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidThresholdIsReportedOnce()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);

        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--threshold", "top:2");

        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Single(result.Stderr.Split('\n'), l => l.Contains("'top:2'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("batch size must be at least 1 (got 0). (Parameter 'options')", "batch size must be at least 1 (got 0).")]
    [InlineData("x.json: invalid JSON: 'b' is an invalid start of a property name. Expected a '\"'. LineNumber: 0 | BytePositionInLine: 2.", "x.json: invalid JSON: 'b' is an invalid start of a property name. Expected a '\"'.")]
    [InlineData("bad value. Path: $.rank | LineNumber: 3 | BytePositionInLine: 9.", "bad value.")]
    public void DotNetInternalsAreStrippedFromMessages(string message, string expected) =>
        Assert.Equal(expected, UserMessages.WithoutDotNetInternals(message));

    [Fact]
    public void ShareGptRowsScanWithTheChatTemplate()
    {
        using var folder = new TempFolder();
        var rows = Enumerable.Range(0, 4).Select(i =>
            JsonSerializer.Serialize(new { conversations = new[] { new { from = "human", value = $"Question {i}: name a colour." }, new { from = "gpt", value = "Blue." } } }));
        File.WriteAllText(folder.File("sharegpt.jsonl"), string.Join("\n", rows) + "\n");

        var result = ToolProcess.Run(folder.Path, "scan", "sharegpt.jsonl", "--template", "chat", "--model", TinyModel, "--device", "cpu", "--threshold", "0.99");

        Assert.True(result.ExitCode == ExitCodes.Passed, result.ToString());
        Assert.Contains("4 read, 4 scored, 0 failed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTemplateHelpSaysWhatEachTemplateRenders()
    {
        var result = ToolProcess.Run(ToolProcess.RepoRoot, "scan", "--help");

        foreach (var text in new[] { "raw: prompt = field prompt", "alpaca: the Stanford Alpaca prompt", "ShareGPT conversations", "FILE: a JSON template file", "--role-field" })
            Assert.Contains(text, result.Stdout.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
