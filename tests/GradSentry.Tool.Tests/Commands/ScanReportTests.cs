using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GradSentry.Tool.Tests.Support;

namespace GradSentry.Tool.Tests.Commands;

/// <summary>Every report format of one real scan (64 rows, 7 flagged by top:0.1).</summary>
[Collection(ScannedDatasetGroup.Name)]
public class ScanReportTests(ScannedDataset scan)
{
    const int Flagged = 7; // ceil(0.1 * 64)

    [Fact]
    public void ScanWithSuspectRowsExitsWithGateFailed() => Assert.True(scan.Result.ExitCode == ExitCodes.GateFailed, scan.Result.ToString());

    [Fact]
    public void JsonReportHasTheContractShape()
    {
        var root = scan.Json.RootElement;
        Assert.Equal("gradsentry", root.GetProperty("tool").GetProperty("name").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", root.GetProperty("tool").GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("model").ValueKind);
        Assert.Equal("top:0.1", root.GetProperty("options").GetProperty("threshold").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("threshold").GetProperty("value").ValueKind);
        Assert.Equal("top_fraction", root.GetProperty("threshold").GetProperty("method").GetString());
        var statistics = root.GetProperty("statistics");
        Assert.Equal(ScannedDataset.Rows, statistics.GetProperty("evaluated").GetInt32());
        Assert.Equal(Flagged, statistics.GetProperty("flagged").GetInt32());
        Assert.Equal(Flagged / (double)ScannedDataset.Rows, statistics.GetProperty("flaggedFraction").GetDouble(), 12);
        Assert.False(root.GetProperty("success").GetBoolean());
        var samples = scan.Samples;
        Assert.Equal(ScannedDataset.Rows, samples.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            Assert.Equal("data.jsonl", s.GetProperty("file").GetString());
            Assert.Equal(i, s.GetProperty("row").GetInt32());
            Assert.Equal(i + 1, s.GetProperty("line").GetInt32());
            Assert.InRange(s.GetProperty("score").GetDouble(), 0, 1);
            Assert.True(s.GetProperty("answerTokens").GetInt32() >= 2);
            Assert.Contains(s.GetProperty("flagged").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }
        Assert.Equal(Flagged, samples.Count(s => s.GetProperty("flagged").GetBoolean()));
    }

    [Fact]
    public void FlaggedRowsAreTheHighestScores()
    {
        var threshold = scan.Json.RootElement.GetProperty("threshold").GetProperty("value").GetDouble();
        foreach (var s in scan.Samples)
            Assert.Equal(s.GetProperty("score").GetDouble() > threshold, s.GetProperty("flagged").GetBoolean());
    }

    [Fact]
    public void StandardOutputHoldsOnlyTheJsonAndProgressGoesToStandardError()
    {
        Assert.StartsWith("{", scan.Result.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("}\n", scan.Result.Stdout, StringComparison.Ordinal);
        Assert.Contains("rows/s", scan.Result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportFolderHoldsEveryFormatAndNoTemporaryFile()
    {
        var files = Directory.EnumerateFiles(Path.Combine(scan.Folder, "report")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["gradsentry.csv", "gradsentry.html", "gradsentry.json", "gradsentry.msbuild.log", "gradsentry.sarif", "gradsentry.txt"], files);
        Assert.DoesNotContain(Directory.EnumerateFiles(scan.Folder, "*.tmp", SearchOption.AllDirectories), _ => true);
    }

    [Fact]
    public void JsonFileInTheReportFolderEqualsStandardOutputApartFromTiming() =>
        Assert.Equal(JsonCompare.WithoutTiming(scan.Result.Stdout), JsonCompare.WithoutTiming(File.ReadAllText(scan.Report("gradsentry.json"))));

    [Fact]
    public void FilteredOutputIsTheInputMinusFlaggedRowsByteForByte()
    {
        var flaggedLines = scan.Samples.Where(s => s.GetProperty("flagged").GetBoolean()).Select(s => s.GetProperty("line").GetInt32()).ToHashSet();
        var lines = File.ReadAllText(scan.Data).Split('\n')[..^1];
        var expected = string.Concat(lines.Where((_, i) => !flaggedLines.Contains(i + 1)).Select(l => l + "\n"));
        Assert.Equal(Encoding.UTF8.GetBytes(expected), File.ReadAllBytes(Path.Combine(scan.Folder, "filtered.jsonl")));
        Assert.Equal(File.ReadAllBytes(scan.Data).Length, new FileInfo(scan.Data).Length); // the input is untouched
    }

    [Fact]
    public void CsvReportHasAHeaderAndOneLinePerRow()
    {
        var lines = File.ReadAllLines(scan.Report("gradsentry.csv"));
        Assert.StartsWith("file,row,line,GradientSpectralEntropy,score,detector,group,answerTokens,IsSuspect,", lines[0], StringComparison.Ordinal);
        Assert.Equal(ScannedDataset.Rows + 1, lines.Length);
        Assert.Equal(Flagged, lines.Skip(1).Count(l => l.Split(',')[8] == "true"));
        Assert.Equal("data.jsonl,0,1,", lines[1][.."data.jsonl,0,1,".Length]);
    }

    [Fact]
    public void SarifReportHasTheRequiredStructureAndOneResultPerFlaggedRow()
    {
        using var sarif = JsonDocument.Parse(File.ReadAllText(scan.Report("gradsentry.sarif")));
        var root = sarif.RootElement;
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        Assert.Contains("sarif", root.GetProperty("$schema").GetString(), StringComparison.Ordinal);
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("GradSentry", driver.GetProperty("name").GetString());
        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        Assert.Equal(["GS1001", "GS1002", "GS2001", "GS2002", "GS2003", "GS2004", "GS3001"], rules.Select(r => r.GetProperty("id").GetString()));
        foreach (var rule in rules)
        {
            Assert.StartsWith("https://github.com/gradsentry/GradSentry.MLNet/blob/main/docs/rules/GS", rule.GetProperty("helpUri").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(rule.GetProperty("shortDescription").GetProperty("text").GetString()));
        }
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(Flagged, results.Count(r => r.GetProperty("ruleId").GetString() == "GS1002"));
        Assert.Equal(1, results.Count(r => r.GetProperty("ruleId").GetString() == "GS1001"));
        foreach (var result in results)
        {
            Assert.Contains(result.GetProperty("level").GetString(), new[] { "none", "note", "warning", "error" });
            Assert.False(string.IsNullOrEmpty(result.GetProperty("message").GetProperty("text").GetString()));
            var index = result.GetProperty("ruleIndex").GetInt32();
            Assert.Equal(result.GetProperty("ruleId").GetString(), rules[index].GetProperty("id").GetString());
            var location = Assert.Single(result.GetProperty("locations").EnumerateArray()).GetProperty("physicalLocation");
            Assert.Equal("data.jsonl", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
            Assert.True(location.GetProperty("region").GetProperty("startLine").GetInt32() >= 1);
        }
    }

    [Fact]
    public void MsbuildReportIsCanonicalErrorAndWarningLines()
    {
        var lines = File.ReadAllLines(scan.Report("gradsentry.msbuild.log"));
        var canonical = new Regex(@"^(?<file>[^()]+)\((?<line>\d+),1\): (?<severity>error|warning) (?<id>GS\d{4}): \S.*$");
        var diagnostics = lines[..^1].Select(l => canonical.Match(l)).ToList();
        Assert.All(diagnostics, m => Assert.True(m.Success));
        Assert.Equal(Flagged, diagnostics.Count(m => m.Groups["id"].Value == "GS1002" && m.Groups["severity"].Value == "warning"));
        Assert.Equal(1, diagnostics.Count(m => m.Groups["id"].Value == "GS1001" && m.Groups["severity"].Value == "error"));
        Assert.All(diagnostics, m => Assert.Equal("data.jsonl", m.Groups["file"].Value));
        Assert.StartsWith("GradSentry: 64 rows", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void TextReportStatesTheOutcomeThresholdAndSuspects()
    {
        var text = File.ReadAllText(scan.Report("gradsentry.txt"));
        Assert.StartsWith("GradSentry ", text, StringComparison.Ordinal);
        Assert.Contains("FAILED", text, StringComparison.Ordinal);
        Assert.Contains("top_fraction", text, StringComparison.Ordinal);
        Assert.Equal(Flagged, Regex.Count(text, @"data\.jsonl:\d+  score"));
    }

    [Fact]
    public void HtmlReportIsOneSelfContainedPageWithBothPlots()
    {
        var html = File.ReadAllText(scan.Report("gradsentry.html"));
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        Assert.Contains("FAILED", document.QuerySelector("#banner")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(document.QuerySelectorAll("script, link, iframe, object"));
        var images = document.QuerySelectorAll("img").ToList();
        Assert.Equal(2, images.Count);
        foreach (var image in images)
        {
            var src = image.GetAttribute("src")!;
            Assert.StartsWith("data:image/png;base64,", src, StringComparison.Ordinal);
            var png = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.True(png.Length > 5000, "a plot is more than a blank image");
        }
        Assert.NotNull(document.QuerySelector("#distribution img"));
        Assert.NotNull(document.QuerySelector("#length img"));
        Assert.Equal(20, document.QuerySelectorAll("#suspects tr.top-suspect").Length);
        Assert.Contains("top:0.1", document.QuerySelector("#options")!.TextContent, StringComparison.Ordinal);
    }
}
