using System.Collections;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Tool.Formatters;
using GradSentry.Tool.Reports;
using GradSentry.Verdicts;

namespace GradSentry.Tool.Tests.Formatters;

/// <summary>
/// Report memory stays flat with rows (issue 16, item 11): a report keeps no message per row (diagnostics are made as
/// they are read), and the writers whose output grows with the rows hand it to the stream as they go.
/// </summary>
public class ReportStreamingTests
{
    const int Rows = 20_000;

    /// <summary>The rows of a report, noting how many bytes the output had received when the middle row was first read.</summary>
    sealed class WatchedRows(IReadOnlyList<ScanRow> rows) : IReadOnlyList<ScanRow>
    {
        public Stream? Output { get; set; }

        public long? BytesAtMiddle { get; private set; }

        public int Count => rows.Count;

        public ScanRow this[int index]
        {
            get
            {
                if (index == rows.Count / 2 && Output is not null) BytesAtMiddle ??= Output.Length;
                return rows[index];
            }
        }

        public IEnumerator<ScanRow> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary><see cref="Rows"/> rows, every one above the threshold (every row is a suspect and has a diagnostic).</summary>
    static (ScanReport Report, WatchedRows Rows) AllSuspect()
    {
        var threshold = new ThresholdResult(0.1, ThresholdMethods.Fixed, new ThresholdDetails { NumSamples = Rows, FlaggedCount = Rows });
        var list = new List<ScanRow>(Rows);
        for (var i = 0; i < Rows; i++)
        {
            var score = new SampleScore(i, 0.5 + i * 1e-6, 3, 1.5, 2.0, [1.0, 0.5], 0, false, null) { ReferenceScore = 0.5 };
            list.Add(new ScanRow("data.jsonl", i, i + 1, DatasetScanner.HashRow(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), score, RowVerdict.Judge(score, threshold, 16)));
        }
        var rows = new WatchedRows(list);
        var (summary, _) = DatasetSummary.Decide(list.Select(r => r.Score).ToList(), new FixedThreshold(0.1), 16);
        var result = new ScanResult(["data.jsonl"], "/models/tiny", new string('f', 64), "lm_head-closed-form", new ScanOptions { ModelDirectory = "/models/tiny" },
            summary, rows, [new SuspectText("data.jsonl", 1, 0.5, 3, "p", "r")], TimeSpan.FromSeconds(1), 0);
        var report = new ScanReport(result, new ReportOptions
        {
            Model = "/models/tiny", Target = "lm_head.weight", Rank = 16, Slice = 8, Score = "reference", Threshold = "0.1",
            MaxPoisonFraction = 0, Device = "cpu", BatchSize = 16, Template = "raw",
        });
        return (report, rows);
    }

    [Fact]
    public void AReportMakesItsDiagnosticsWhenTheyAreRead()
    {
        var (report, _) = AllSuspect();
        var threshold = report.Result.Summary.Threshold;
        var result = report.Result;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = new ScanReport(result, report.Options);
        var perRow = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Rows;
        // A list of suspect indices (4 bytes a row, plus growth); a message per row would be hundreds of bytes.
        Assert.True(perRow < 64, $"building the report allocated {perRow:0} bytes a row");
        // Every diagnostic is still there, in order: one GS1002 per suspect, then the gate's GS1001.
        Assert.Equal(Rows + 1, again.Diagnostics.Count);
        Assert.Equal(again.Diagnostics.Select(d => d.Id), [.. Enumerable.Repeat("GS1002", Rows), "GS1001"]);
        Assert.StartsWith("suspect row 19999: reference score 0.5200 > threshold 0.1000", again.Diagnostics[Rows - 1].Message, StringComparison.Ordinal);
        Assert.Equal(Rows, again.Diagnostics[Rows - 1].Line);
        Assert.Throws<ArgumentOutOfRangeException>(() => again.Diagnostics[Rows + 1]);
        Assert.Equal(threshold, again.Result.Summary.Threshold);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("sarif")]
    [InlineData("msbuild")]
    public void WritersWhoseOutputGrowsWithTheRowsStreamIt(string format)
    {
        var (report, rows) = AllSuspect();
        using var output = new MemoryStream();
        rows.Output = output;
        ReportFormatters.Get(format).Write(report, output);
        Assert.True(output.Length > 1 << 20, $"{format}: {output.Length} bytes");
        // When the middle row is first read, a streaming writer has handed on a good part of its output; one that holds it all, none.
        Assert.True(rows.BytesAtMiddle > output.Length / 8, $"{format}: {rows.BytesAtMiddle} of {output.Length} bytes written by the middle row");
    }
}
