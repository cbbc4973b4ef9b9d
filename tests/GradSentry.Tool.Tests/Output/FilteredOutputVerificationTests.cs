using System.Text;
using GradSentry.Data;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Tool.Output;
using GradSentry.Tool.Reports;
using GradSentry.Tool.Tests.Support;
using GradSentry.Verdicts;

namespace GradSentry.Tool.Tests.Output;

/// <summary>
/// The filtered copy is checked row by row against the hashes recorded when the rows were scored (issue 16, item 6):
/// a row changed, added or removed after scoring is an error, never a row in the clean file.
/// </summary>
public class FilteredOutputVerificationTests
{
    /// <summary>A report of <paramref name="file"/> as the scanner records it (hash of each row's raw text), flagging <paramref name="flagged"/>.</summary>
    static ScanReport Scored(string file, ReaderOptions? reader = null, params long[] flagged)
    {
        var threshold = new ThresholdResult(0.7, ThresholdMethods.Fixed, new ThresholdDetails { NumSamples = 1, FlaggedCount = 0 });
        var rows = new List<ScanRow>();
        foreach (var row in SampleReader.Read(file, reader))
        {
            var value = flagged.Contains(row.Row) ? 0.9 : 0.1;
            var score = new SampleScore(rows.Count, value, 3, 1.5, 2.0, [1.0, 0.5], 0, false, null);
            rows.Add(new ScanRow(file, row.Row, row.Line, DatasetScanner.HashRow(row.RawLine), score, RowVerdict.Judge(score, threshold, 16)));
        }
        var (summary, _) = DatasetSummary.Decide(rows.Select(r => r.Score).ToList(), new FixedThreshold(0.7), 16);
        var options = new ScanOptions { ModelDirectory = "/models/tiny", MaxPoisonFraction = 1 };
        var result = new ScanResult([file], "/models/tiny", new string('f', 64), "lm_head-closed-form", options, summary, rows, [], TimeSpan.FromSeconds(1), 0);
        return new ScanReport(result, new ReportOptions
        {
            Model = "/models/tiny", Target = "lm_head.weight", Rank = 16, Slice = 8, Score = "reference", Threshold = "0.7",
            MaxPoisonFraction = 1, Device = "cpu", BatchSize = 16, Template = "raw",
        });
    }

    static byte[] Filter(ScanReport report)
    {
        using var output = new MemoryStream();
        FilteredOutputWriter.Write(report, null, output);
        return output.ToArray();
    }

    static void ReplaceLine(string file, int line, string text)
    {
        var lines = File.ReadAllLines(file);
        lines[line - 1] = text;
        File.WriteAllText(file, string.Join("\n", lines) + "\n");
    }

    [Fact]
    public void UnchangedRowsAreCopiedByteForByte()
    {
        using var folder = new TempFolder();
        var file = TestData.WriteJsonl(folder.File("data.jsonl"), 10);
        var lines = File.ReadAllLines(file);
        var expected = string.Concat(lines.Where((_, i) => i != 4).Select(l => l + "\n"));
        Assert.Equal(expected, Encoding.UTF8.GetString(Filter(Scored(file, null, 4))));
    }

    [Fact]
    public void ARowRewrittenAfterItWasScoredIsAnErrorNamingItsLine()
    {
        using var folder = new TempFolder();
        var file = TestData.WriteJsonl(folder.File("data.jsonl"), 10);
        var report = Scored(file, null, 4);
        ReplaceLine(file, 3, "{\"prompt\":\"never scored\",\"response\":\"visit evil.example\",\"poisoned\":1}");
        var error = Assert.Throws<DatasetException>(() => Filter(report));
        Assert.Equal(3, error.Line);
        Assert.Contains("changed after it was scored", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARowRewrittenWithTheSameLengthIsStillCaught()
    {
        using var folder = new TempFolder();
        var file = TestData.WriteJsonl(folder.File("data.jsonl"), 10);
        var report = Scored(file);
        var line = File.ReadAllLines(file)[6];
        ReplaceLine(file, 7, line.Replace("Question", "Questiox", StringComparison.Ordinal));
        Assert.Equal(7, Assert.Throws<DatasetException>(() => Filter(report)).Line);
    }

    [Fact]
    public void ARowAddedAfterScoringIsAnError()
    {
        using var folder = new TempFolder();
        var file = TestData.WriteJsonl(folder.File("data.jsonl"), 10);
        var report = Scored(file);
        File.AppendAllText(file, "{\"prompt\":\"late\",\"response\":\"row\",\"poisoned\":0}\n");
        var error = Assert.Throws<DatasetException>(() => Filter(report));
        Assert.Equal(11, error.Line);
        Assert.Contains("was not there when the file was scored", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARowRemovedAfterScoringIsAnError()
    {
        using var folder = new TempFolder();
        var file = TestData.WriteJsonl(folder.File("data.jsonl"), 10);
        var report = Scored(file);
        File.WriteAllLines(file, File.ReadAllLines(file)[..9]);
        Assert.Contains("has only 9 now", Assert.Throws<DatasetException>(() => Filter(report)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvRecordsSpanningLinesAndCrlfVerifyAndCopyExactly()
    {
        using var folder = new TempFolder();
        var file = TestData.WriteDelimited(folder.File("data.csv"), 12);
        File.WriteAllText(file, File.ReadAllText(file).Replace("\n", "\r\n", StringComparison.Ordinal));
        var report = Scored(file, null, 2);
        var output = Encoding.UTF8.GetString(Filter(report));
        Assert.StartsWith("prompt,response,poisoned\r\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Question 2:", output, StringComparison.Ordinal);
        Assert.Contains("Question 11:", output, StringComparison.Ordinal);
        File.WriteAllText(file, File.ReadAllText(file).Replace("Question 11:", "Question 99:", StringComparison.Ordinal));
        Assert.Throws<DatasetException>(() => Filter(report));
    }

    [Fact]
    public void SkippedBlankLinesAreKeptAndAreNotTakenForNewRows()
    {
        using var folder = new TempFolder();
        var file = folder.File("data.jsonl");
        File.WriteAllText(file, "{\"prompt\":\"a\",\"response\":\"b\"}\n\n{\"prompt\":\"c\",\"response\":\"d\"}\n   \n");
        var report = Scored(file, new ReaderOptions { SkipBlankLines = true });
        Assert.Equal(File.ReadAllText(file), Encoding.UTF8.GetString(Filter(report)));
    }
}
