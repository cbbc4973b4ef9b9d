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
    /// <summary>Runs every format at every size; returns the largest growth from the first size to the last.</summary>
    public static double Run(IReadOnlyList<long> sizes, IReadOnlyList<string> formats)
    {
        Console.WriteLine("| format | rows | peak RSS (MB) | report (MB) | seconds |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var worst = 0.0;
        foreach (var format in formats)
        {
            var peaks = new List<double>();
            foreach (var rows in sizes)
            {
                var line = SelfProcess.Run(["report-memory-child", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--format", format]).Trim();
                Console.WriteLine(line);
                peaks.Add(double.Parse(line.Split('|', StringSplitOptions.RemoveEmptyEntries)[2], CultureInfo.InvariantCulture));
            }
            worst = Math.Max(worst, peaks[^1] / peaks[0] - 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {format} | growth | {peaks[^1] / peaks[0] - 1:P1} | | |"));
        }
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
                using (var output = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16))
                    ReportFormatters.Get(format).Write(report, output);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {format} | {rows} | {ProcessMemory.PeakResidentBytes() / 1048576.0:0.0} | {new FileInfo(path).Length / 1048576.0:0.0} | {clock.Elapsed.TotalSeconds:0.0} |"));
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
