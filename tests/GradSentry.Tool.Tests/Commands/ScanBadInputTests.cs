using System.Text;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>Every bad input gets one clear message naming the file and line, exit code 1, and no output at all.</summary>
public class ScanBadInputTests
{
    static readonly string[] Outputs = ["--format", "json", "--output", "report.json", "--filtered-output", "filtered.jsonl", "--device", "cpu"];

    static ToolResult ScanExpectingInputError(TempFolder folder, params string[] args)
    {
        var before = folder.Files();
        var result = ToolProcess.Run(folder.Path, ["scan", .. args]);
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Empty(result.Stdout);
        Assert.Equal(before, folder.Files()); // nothing half-written, no temporary file left
        return result;
    }

    [Fact]
    public void MalformedJsonLineIsRejectedNamingFileAndLine()
    {
        using var folder = new TempFolder();
        TestData.Write(folder.File("bad.jsonl"), "{\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\":\"c\",\"response\":\"d\"}\n{\"prompt\":\"e\",\"response\":\n", bom: false);
        var result = ScanExpectingInputError(folder, ["bad.jsonl", .. Outputs]);
        Assert.Contains("bad.jsonl(3,", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("error GS2001", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RowWithoutTheResponseFieldIsRejectedNamingTheField()
    {
        using var folder = new TempFolder();
        TestData.Write(folder.File("missing.jsonl"), "{\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\":\"c\",\"answer\":\"d\"}\n", bom: false);
        var result = ScanExpectingInputError(folder, ["missing.jsonl", .. Outputs]);
        Assert.Contains("missing.jsonl(2,1): error GS2001: the field 'response' is missing", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--response-field", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8IsRejectedNamingTheLine()
    {
        using var folder = new TempFolder();
        var bytes = Encoding.UTF8.GetBytes("{\"prompt\":\"a\",\"response\":\"b\"}\n{\"prompt\":\"").Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\",\"response\":\"x\"}\n")).ToArray();
        File.WriteAllBytes(folder.File("latin.jsonl"), bytes);
        var result = ScanExpectingInputError(folder, ["latin.jsonl", .. Outputs]);
        Assert.Contains("latin.jsonl(2,", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("UTF-8", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyFileIsRejected()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("empty.jsonl"), []);
        var result = ScanExpectingInputError(folder, ["empty.jsonl", .. Outputs]);
        Assert.Contains("empty.jsonl: error GS2001", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("empty", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeLineIsRejectedNamingTheLine()
    {
        using var folder = new TempFolder();
        var huge = "{\"prompt\":\"a\",\"response\":\"" + new string('x', 17 * 1024 * 1024) + "\"}";
        TestData.Write(folder.File("huge.jsonl"), "{\"prompt\":\"a\",\"response\":\"b\"}\n" + huge + "\n", bom: false);
        var result = ScanExpectingInputError(folder, ["huge.jsonl", .. Outputs]);
        Assert.Contains("huge.jsonl(2,", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("error GS2001", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RaggedCsvRowIsRejectedNamingTheLine()
    {
        using var folder = new TempFolder();
        TestData.Write(folder.File("ragged.csv"), "prompt,response\na,b\nc,d,e\n", bom: false);
        var result = ScanExpectingInputError(folder, ["ragged.csv", .. Outputs]);
        Assert.Contains("ragged.csv(3,1): error GS2001: the record has 3 fields but the header has 2", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void FileOfUnknownFormatIsRejectedBeforeTheModelLoads()
    {
        using var folder = new TempFolder();
        TestData.Write(folder.File("data.xml"), "<rows/>", bom: false);
        var result = ScanExpectingInputError(folder, ["data.xml", .. Outputs]);
        Assert.Contains("data.xml: error GS2001", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--input-format", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownReportFormatIsAUsageError()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);
        var result = ScanExpectingInputError(folder, "data.jsonl", "--format", "yaml");
        Assert.Contains("yaml", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingDataFileIsRejected()
    {
        using var folder = new TempFolder();
        var result = ScanExpectingInputError(folder, ["nowhere.jsonl", .. Outputs]);
        Assert.Contains("nowhere.jsonl: error GS2001: the dataset file does not exist", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderGivenAsDataIsRejected()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("data"));
        var result = ScanExpectingInputError(folder, ["data", .. Outputs]);
        Assert.Contains("data: error GS2001: this is a directory", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--output", "missing/report.json")]
    [InlineData("--filtered-output", "missing/filtered.jsonl")]
    public void OutputInsideAMissingFolderIsRejectedBeforeScanning(string option, string path)
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);
        string[] format = option == "--output" ? ["--format", "json"] : [];
        var result = ScanExpectingInputError(folder, ["data.jsonl", option, path, .. format]);
        Assert.Contains("does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("rows/s", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.File("missing")));
    }

    [Fact]
    public void ModelThatCannotBeLoadedIsGS2002()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);
        Directory.CreateDirectory(folder.File("model"));
        var result = ScanExpectingInputError(folder, ["data.jsonl", "--model", "model", .. Outputs]);
        Assert.Contains("model: error GS2002: the model cannot be loaded", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthControlledScoreCannotRunPerShard()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 4);
        var result = ScanExpectingInputError(folder, "data.jsonl", "--score", "length-controlled", "--shard", "0/2");
        Assert.Contains("whole dataset", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void LengthControlledScoreScansEndToEnd()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 12);
        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--score", "length-controlled", "--device", "cpu", "--format", "json", "--threshold", "top:0.25");
        Assert.True(result.ExitCode is ExitCodes.Passed or ExitCodes.GateFailed, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(12, json.RootElement.GetProperty("samples").GetArrayLength());
        Assert.Equal(3, json.RootElement.GetProperty("statistics").GetProperty("flagged").GetInt32());
    }

    [Fact]
    public void ResponseLongerThanTheMaximumLengthIsGS2003WithReportsButNoFilteredOutput()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 16);
        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--max-length", "24", "--device", "cpu", "--format", "json", "--filtered-output", "filtered.jsonl");
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        Assert.Contains("data.jsonl(6,1): error GS2003: row 5 could not be scored", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--filtered-output: not written", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("filtered.jsonl")));
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.False(json.RootElement.GetProperty("success").GetBoolean());
        Assert.False(json.RootElement.GetProperty("gatePassed").GetBoolean());
        Assert.Equal(2, json.RootElement.GetProperty("statistics").GetProperty("failed").GetInt32());
    }

    [Fact]
    public void EveryReportSaysTheGateFailedWhenRowsCouldNotBeScored()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 16);
        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--max-length", "24", "--device", "cpu", "--report", "report");
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(folder.File("report/gradsentry.json")));
        Assert.False(json.RootElement.GetProperty("gatePassed").GetBoolean());
        using var sarif = System.Text.Json.JsonDocument.Parse(File.ReadAllText(folder.File("report/gradsentry.sarif")));
        Assert.False(sarif.RootElement.GetProperty("runs")[0].GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean());
        var text = File.ReadAllText(folder.File("report/gradsentry.txt"));
        Assert.Contains("failed (2 rows could not be scored)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(": passed", text, StringComparison.Ordinal);
        Assert.Contains("<td>failed (2 rows could not be scored)</td>", File.ReadAllText(folder.File("report/gradsentry.html")), StringComparison.Ordinal);
    }

    /// <summary>Every row unscorable (issue 16, item 10): exit 1, and every format says the gate failed and why.</summary>
    [Fact]
    public void EveryReportSaysWhyTheGateFailedWhenNoRowCouldBeScored()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 16);
        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--max-length", "2", "--device", "cpu", "--report", "report");
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        const string Why = "16 rows could not be scored";
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(folder.File("report/gradsentry.json")));
        Assert.False(json.RootElement.GetProperty("success").GetBoolean());
        Assert.False(json.RootElement.GetProperty("gatePassed").GetBoolean());
        Assert.Equal(Why, json.RootElement.GetProperty("gateReason").GetString());
        using var sarif = System.Text.Json.JsonDocument.Parse(File.ReadAllText(folder.File("report/gradsentry.sarif")));
        var invocation = sarif.RootElement.GetProperty("runs")[0].GetProperty("invocations")[0];
        Assert.False(invocation.GetProperty("executionSuccessful").GetBoolean());
        Assert.Contains(invocation.GetProperty("toolExecutionNotifications").EnumerateArray(),
            n => n.GetProperty("level").GetString() == "error" && n.GetProperty("message").GetProperty("text").GetString()!.Contains(Why, StringComparison.Ordinal));
        var text = File.ReadAllText(folder.File("report/gradsentry.txt"));
        Assert.StartsWith($"GradSentry {GradSentry.Tool.Reports.ScanReport.ToolVersion}: ERROR", text, StringComparison.Ordinal);
        Assert.Contains($": failed ({Why})", text, StringComparison.Ordinal);
        Assert.Contains($"<td>failed ({Why})</td>", File.ReadAllText(folder.File("report/gradsentry.html")), StringComparison.Ordinal);
        Assert.Contains("16 row(s) could not be scored", File.ReadAllLines(folder.File("report/gradsentry.msbuild.log"))[^1], StringComparison.Ordinal);
        var csv = File.ReadAllLines(folder.File("report/gradsentry.csv"));
        var failedColumn = GradSentry.Tool.Formatters.CsvFormatter.Columns.ToList().IndexOf("failed");
        Assert.All(csv.Skip(1), line => Assert.Equal("true", line.Split(',')[failedColumn]));
    }

    /// <summary>Suspects over the limit and unscorable rows together: the reports give both reasons.</summary>
    [Fact]
    public void TheGateReasonNamesSuspectsAndUnscoredRowsTogether()
    {
        using var folder = new TempFolder();
        TestData.WriteJsonl(folder.File("data.jsonl"), 16);
        var result = ToolProcess.Run(folder.Path, "scan", "data.jsonl", "--max-length", "24", "--threshold", "top:0.25", "--score", "reference", "--device", "cpu", "--format", "json");
        Assert.True(result.ExitCode == ExitCodes.UsageOrInputError, result.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(result.Stdout);
        var reason = json.RootElement.GetProperty("gateReason").GetString()!;
        Assert.Matches(@"^\d+ suspect rows? above the limit; 2 rows could not be scored$", reason);
    }
}
