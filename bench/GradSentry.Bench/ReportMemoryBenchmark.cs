using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Tool.Formatters;
using GradSentry.Tool.Reports;

namespace GradSentry.Bench;

/// <summary>
/// The report half of <c>scoring-memory</c>: peak resident memory of deciding N scored rows and writing one report format
/// to a file, each size and format in a fresh child process, with the bundled model loaded as during a scan. The scores
/// are made up (the scorer's own memory is what <c>scoring-memory</c> measures without <c>--formats</c>), so 100,000 rows
/// take seconds, not the hours the tiny model needs on two shared cores.
/// </summary>
internal static class ReportMemoryBenchmark
{
    /// <summary>
    /// Runs every format at every size; returns the largest growth of the process's peak from the first size to the last.
    /// Each line also shows what the rows hold before any report is written (resident set after a full GC, and the live
    /// managed heap: scores and verdicts) and what the write itself adds on top (peak while writing minus that resident
    /// set), so a writer that holds rows shows on its own.
    /// </summary>
    public static double Run(IReadOnlyList<long> sizes, IReadOnlyList<string> formats)
    {
        Console.WriteLine("| format | rows | peak RSS (MB) | RSS before writing (MB) | write adds (MB) | live heap before writing (MB) | report (MB) | seconds |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var worst = 0.0;
        var growths = new List<string>();
        foreach (var format in formats)
        {
            var peaks = new List<double>();
            var writes = new List<double>();
            foreach (var rows in sizes)
            {
                var line = SelfProcess.Run(["report-memory-child", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--format", format]).Trim();
                Console.WriteLine(line);
                var cells = line.Split('|', StringSplitOptions.RemoveEmptyEntries);
                peaks.Add(double.Parse(cells[2], CultureInfo.InvariantCulture));
                writes.Add(double.TryParse(cells[4], CultureInfo.InvariantCulture, out var adds) ? adds : double.NaN);
            }
            var growth = peaks[^1] / peaks[0] - 1;
            worst = Math.Max(worst, growth);
            growths.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {format} | {growth:P1} | {peaks[0]:0.0} → {peaks[^1]:0.0} | {writes[0]:0.0} → {writes[^1]:0.0} |"));
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| format | peak growth {sizes[0]} → {sizes[^1]} rows | peak RSS (MB) | write adds (MB) |"));
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var g in growths) Console.WriteLine(g);
        return worst;
    }

    internal sealed class Child : IBenchmark
    {
        public string Name => "report-memory-child";

        public string Usage => "report-memory-child --rows N --format NAME";

        public int Run(IReadOnlyList<string> args)
        {
            var options = BenchArgs.Parse(args);
            var rows = int.Parse(options.Get("rows", "10000"), CultureInfo.InvariantCulture);
            var format = options.Get("format", "json");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var model = GradSentryModel.Load(ScoringBenchmark.RepoPath("samples/models/tiny-llama"), "cpu");
            var report = new ScanReport(DatasetScanner.Decide(Scored(rows, model.Directory)), new ReportOptions
            {
                Model = model.Directory, Target = ProbeOptions.LmHead, Rank = 16, Slice = 8, Score = "reference", Threshold = "auto",
                MaxPoisonFraction = 0, Device = "cpu", BatchSize = 32, Template = "raw",
            });
            var path = Path.Combine(Path.GetTempPath(), $"gradsentry-report-memory-{Environment.ProcessId}.{format}");
            try
            {
                // What the decided rows hold, then what writing adds on top of it (VmHWM reset to the current RSS first).
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var held = ProcessMemory.ResidentBytes();
                var live = GC.GetTotalMemory(forceFullCollection: false);
                var peakBefore = ProcessMemory.PeakResidentBytes();
                var reset = ProcessMemory.ResetPeak();
                using (var output = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
                    ReportFormatters.Get(format).Write(report, output);
                var writePeak = ProcessMemory.PeakResidentBytes();
                var peak = Math.Max(peakBefore, writePeak);
                var adds = reset ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, writePeak - held) / 1048576.0:0.0}") : "n/a";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {format} | {rows} | {peak / 1048576.0:0.0} | {held / 1048576.0:0.0} | {adds} | {live / 1048576.0:0.0} | {new FileInfo(path).Length / 1048576.0:0.0} | {clock.Elapsed.TotalSeconds:0.0} |"));
            }
            finally
            {
                File.Delete(path);
            }
            return 0;
        }

        /// <summary>N rows as the scanner records them: a spectrum, a row hash, a score; every 8th row with a long answer scores high.</summary>
        static ScoredDataset Scored(int count, string modelDirectory)
        {
            var random = new Random(7);
            var rows = new List<ScoredRow>(count);
            for (var i = 0; i < count; i++)
            {
                var poisoned = i % 8 == 5;
                var answer = poisoned ? 14 : random.Next(1, 4);
                var values = Enumerable.Range(0, 16).Select(k => Math.Exp(-k * (poisoned ? 0.05 : 0.9)) * (1 + random.NextDouble() * 0.1)).ToArray();
                var score = SpectralEntropy.Score(values);
                var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture))));
                rows.Add(new ScoredRow(i, "data.jsonl", i, i + 1, hash, new SampleScore(i, score, answer, 2.5, 1.5, values, 0, false, null) { ReferenceScore = score }));
            }
            var suspects = rows.OrderByDescending(r => r.Score.Score).Take(20)
                .Select(r => new RankedSuspect(r.GlobalIndex, new SuspectText(r.File, r.Line, r.Score.Score, r.Score.AnswerTokens, "Question?", "Answer.")))
                .ToList();
            var options = new ScanOptions { ModelDirectory = modelDirectory };
            return new ScoredDataset(["data.jsonl"], modelDirectory, new string('0', 64), "lm_head-closed-form", options, count, rows, suspects, TimeSpan.FromSeconds(1), 0);
        }
    }
}
