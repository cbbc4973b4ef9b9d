using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GradSentry.MLNet;
using GradSentry.Scoring;
using Microsoft.ML;

namespace GradSentry.Bench;

/// <summary>
/// Time of scoring the same rows through the ML.NET transformer (a cursor reading the score column) against calling the
/// engine's <see cref="GradSentryScorer"/> directly, with the same model files and the same engine options. Repetitions are
/// interleaved in one process (A B B A ...) after a warm-up of each, so drift and warm caches hit both sides alike; the
/// medians and their ratio are reported. Goal: ML.NET within 10% of the engine.
/// </summary>
internal sealed class MlNetOverheadBenchmark : IBenchmark
{
    public string Name => "mlnet-overhead";

    public string Usage => "mlnet-overhead [--model DIR] [--data FILE.jsonl] [--repeat 1] [--reps 9] [--device cpu] [--threads 0]   ML.NET transformer vs the engine on the same rows";

    public int Run(IReadOnlyList<string> args)
    {
        var root = RepoRoot();
        string model, data, device;
        int repeat, reps, threads;
        try
        {
            var parsed = BenchArgs.Parse(args);
            model = parsed.Get("model", Path.Combine(root, "samples", "models", "tiny-llama"));
            data = parsed.Get("data", Path.Combine(root, "tests", "fixtures", "golden", "data", "qa_n200_p0.1_s3.jsonl"));
            device = parsed.Get("device", "cpu");
            repeat = parsed.GetInt("repeat", 1);
            reps = parsed.GetInt("reps", 9);
            threads = parsed.GetInt("threads", 0);
            if (repeat < 1 || reps < 1 || threads < 0) throw new ArgumentException("--repeat and --reps must be at least 1, --threads at least 0");
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"mlnet-overhead: {ex.Message.TrimEnd('.')}. Usage: {Usage}");
            return 1;
        }

        // One intra-op thread keeps both sides off OpenMP's spinning when other processes share the cores (0: libtorch's default).
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        var rows = Enumerable.Repeat(ReadRows(data), repeat).SelectMany(r => r).ToList();
        var options = new GradSentryOptions { ModelPath = model, Device = device };
        var scoring = new ScoringOptions
        {
            Probe = new ProbeOptions { TargetParameter = options.TargetParameter, Rank = options.Rank, SliceFactor = options.SliceFactor },
            BatchSize = options.BatchSize,
            MaxTokensPerBatch = options.MaxTokensPerBatch,
            Window = options.ReadAhead,
        };

        var ml = new MLContext(seed: 0);
        var view = ml.Data.LoadFromEnumerable(rows);
        using var transformer = ml.Transforms.GradSentry(options).Fit(view);
        using var engineModel = GradSentryModel.Load(model, device);
        using var scorer = engineModel.CreateScorer(scoring);

        double[] EngineOnce()
        {
            var inputs = rows.Select((r, i) => new ScoringInput(i, r.Prompt, r.Response));
            return [.. scorer.Score(inputs).Select(s => s.Score)];
        }

        double[] MlNetOnce()
        {
            var scored = transformer.Transform(view);
            var column = scored.Schema[options.OutputColumnName];
            var scores = new List<double>(rows.Count);
            using var cursor = scored.GetRowCursor([column]);
            var getter = cursor.GetGetter<float>(column);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                scores.Add(value);
            }
            return [.. scores];
        }

        Console.Error.WriteLine($"mlnet-overhead: {rows.Count} rows from {data}, model {model} on {device}, probe {transformer.ProbeName}, {reps} interleaved repetitions");
        var engineScores = EngineOnce();
        var mlnetScores = MlNetOnce();
        var maxDifference = engineScores.Zip(mlnetScores, (a, b) => Math.Abs((float)a - b)).Max();

        var engineTimes = new List<double>();
        var mlnetTimes = new List<double>();
        var engineCpu = new List<double>();
        var mlnetCpu = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            // A B, then B A: neither side always runs first.
            if (r % 2 == 0)
            {
                Measure(() => EngineOnce(), engineTimes, engineCpu);
                Measure(() => MlNetOnce(), mlnetTimes, mlnetCpu);
            }
            else
            {
                Measure(() => MlNetOnce(), mlnetTimes, mlnetCpu);
                Measure(() => EngineOnce(), engineTimes, engineCpu);
            }
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mlnet-overhead: rep {r + 1}: engine {engineTimes[^1]:F3} s ({engineCpu[^1]:F3} s CPU), ML.NET {mlnetTimes[^1]:F3} s ({mlnetCpu[^1]:F3} s CPU)"));
        }

        var engine = Median(engineTimes);
        var mlnet = Median(mlnetTimes);
        var ratio = mlnet / engine;
        // Each repetition's two runs are adjacent in time, so load from other processes hits both: the median of the
        // per-repetition ratios is the steadier figure on a shared machine; the ratio of the fastest runs the least disturbed.
        var paired = Median([.. mlnetTimes.Zip(engineTimes, (m, e) => m / e)]);
        var fastest = mlnetTimes.Min() / engineTimes.Min();
        // Processor time of this process (all its threads): what the work itself cost, much less sensitive to other processes.
        var cpuRatio = Median(mlnetCpu) / Median(engineCpu);
        Console.WriteLine();
        Console.WriteLine("| path | median wall s | rows/s | min wall s | max wall s | median CPU s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| engine (GradSentryScorer.Score) | {engine:F3} | {rows.Count / engine:F0} | {engineTimes.Min():F3} | {engineTimes.Max():F3} | {Median(engineCpu):F3} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ML.NET (transformer cursor, score column) | {mlnet:F3} | {rows.Count / mlnet:F0} | {mlnetTimes.Min():F3} | {mlnetTimes.Max():F3} | {Median(mlnetCpu):F3} |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio ML.NET / engine: wall medians {ratio:F3}, median of paired repetitions {paired:F3}, fastest runs {fastest:F3}, CPU-time medians {cpuRatio:F3} (goal ≤ 1.10)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"largest score difference {maxDifference:G3}; {rows.Count} rows, {reps} repetitions, {TorchSharp.torch.get_num_threads()} torch threads on {Environment.ProcessorCount} cores"));
        return paired <= 1.10 && maxDifference == 0 ? 0 : 2;
    }

    static void Measure(Action action, List<double> wall, List<double> cpu)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        wall.Add(clock.Elapsed.TotalSeconds);
        process.Refresh();
        cpu.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "GradSentry.MLNet.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    static List<Row> ReadRows(string path)
    {
        var rows = new List<Row>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var json = JsonDocument.Parse(line);
            rows.Add(new Row
            {
                Prompt = json.RootElement.GetProperty("prompt").GetString() ?? "",
                Response = json.RootElement.GetProperty("response").GetString() ?? "",
            });
        }
        return rows;
    }

    /// <summary>One row as ML.NET loads it (default column names).</summary>
    internal sealed class Row
    {
        public string Prompt { get; set; } = "";
        public string Response { get; set; } = "";
    }
}
