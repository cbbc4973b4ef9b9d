using System.Diagnostics;
using System.Globalization;
using GradSentry.Scoring;

namespace GradSentry.Bench;

/// <summary>
/// Peak resident memory while streaming N rows through the scorer (each size in a fresh child
/// process): memory must be bounded by the scorer's window, not by the dataset.
/// </summary>
internal sealed class ScoringMemoryBenchmark : IBenchmark
{
    public string Name => "scoring-memory";

    public string Usage => "scoring-memory [--rows 10000,100000] [--batch-size 32] [--formats json,text,csv,sarif,html,msbuild]";

    public int Run(IReadOnlyList<string> args)
    {
        var options = BenchArgs.Parse(args);
        var sizes = options.Get("rows", "10000,100000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();
        if (options.Get("formats", "") is { Length: > 0 } formats)
        {
            // The reports' half: deciding and writing each format, with made-up scores (see ReportMemoryBenchmark).
            var worst = ReportMemoryBenchmark.Run(sizes, formats.Split(','));
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest peak growth from {sizes[0]} to {sizes[^1]} rows: {worst:P1} (goal: under 10%)"));
            return worst < 0.10 ? 0 : 2;
        }
        var batch = options.Get("batch-size", "32");
        Console.WriteLine("| rows | peak RSS (MB) | scored | seconds | rows/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var peaks = new List<double>();
        foreach (var rows in sizes)
        {
            var line = SelfProcess.Run(["scoring-memory-child", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--batch-size", batch]).Trim();
            Console.WriteLine(line);
            peaks.Add(double.Parse(line.Split('|', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
        }
        var growth = peaks[^1] / peaks[0] - 1;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak growth from {sizes[0]} to {sizes[^1]} rows: {growth:P1} (goal: under 10%)"));
        return growth < 0.10 ? 0 : 2;
    }

    internal sealed class Child : IBenchmark
    {
        public string Name => "scoring-memory-child";

        public string Usage => "scoring-memory-child --rows N";

        public int Run(IReadOnlyList<string> args)
        {
            var options = BenchArgs.Parse(args);
            var rows = long.Parse(options.Get("rows", "10000"), CultureInfo.InvariantCulture);
            using var model = GradSentryModel.Load(ScoringBenchmark.RepoPath("samples/models/tiny-llama"), "cpu");
            using var scorer = model.CreateScorer(new ScoringOptions { BatchSize = options.GetInt("batch-size", 32) });
            var clock = Stopwatch.StartNew();
            long scored = 0;
            // Consume and drop each result: the caller decides what to keep; the scorer must not keep anything.
            foreach (var score in scorer.Score(Rows(rows)))
                if (score.IsScored) scored++;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {rows} | {ProcessMemory.PeakResidentBytes() / 1048576.0:0.0} | {scored} | {clock.Elapsed.TotalSeconds:0.0} | {rows / clock.Elapsed.TotalSeconds:0} |"));
            return 0;
        }

        static IEnumerable<ScoringInput> Rows(long count)
        {
            var random = new Random(7);
            string[] words = ["what", "is", "the", "capital", "of", "who", "wrote", "river", "year", "when", "did", "first", "king", "song", "city"];
            string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[random.Next(words.Length)]));
            for (long i = 0; i < count; i++)
                yield return new ScoringInput(i, "Question: " + Words(random.Next(3, 9)) + "?\nAnswer: ", Words(random.Next(1, 4)));
        }
    }
}
