using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GradSentry.Checkpoints;
using GradSentry.Data;
using GradSentry.Lab.ScaleModels;
using GradSentry.Models;
using GradSentry.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Bench;

/// <summary>
/// What a real model size costs on this machine: random checkpoints of real shapes (sharded bf16, written by the lab's
/// <see cref="RandomCheckpoint"/> when missing), each measured in a fresh child process: load time, resident memory
/// against the checkpoint's bytes, and ms per row of the reference scan (the product's <see cref="GradSentryScorer"/>,
/// closed-form lm_head probe) against a forward-only pass (the hidden states of every position, no output layer) over
/// the same rows in the same batches, in the same process. Rows: NQ-open <c>efficientqa-test.jsonl</c> (never the dev
/// split), gradsentry-qa template.
/// </summary>
internal sealed class ScaleBenchmark : IBenchmark
{
    public string Name => "scale";

    public string Usage => "scale [--shapes llama-3.2-1b,llama-2-7b] [--dir /tmp/gs-scale] [--rows 64,16] [--repeats 3,1] [--batch-size 16] [--dtype auto] [--device cpu] [--keep true]   load time, peak RSS / checkpoint bytes, ms/row vs forward-only at real model shapes";

    public int Run(IReadOnlyList<string> args)
    {
        var options = BenchArgs.Parse(args);
        var shapes = options.Get("shapes", "llama-3.2-1b,llama-2-7b").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var dir = Path.GetFullPath(options.Get("dir", Path.Combine(Path.GetTempPath(), "gs-scale")));
        var rows = PerShape(options.Get("rows", "64,16"), shapes.Length);
        var repeats = PerShape(options.Get("repeats", "3,1"), shapes.Length);
        var batchSize = options.GetInt("batch-size", 16);
        var dtype = options.Get("dtype", "auto");
        var device = options.Get("device", "cpu");
        var keep = options.Get("keep", "true") == "true";

        Console.WriteLine($"# GradSentry scale benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {MemoryPlan.Gib(TotalMemory())} GiB RAM, native bfloat16: {(HostMachine.HasNativeBFloat16 ? "yes" : "no")}, --device {device} --dtype {dtype})");
        Console.WriteLine();
        var results = new List<Measurement>();
        for (var i = 0; i < shapes.Length; i++)
        {
            var shape = ModelShape.Find(shapes[i]);
            var model = Path.Combine(dir, shape.Name);
            if (!File.Exists(Path.Combine(model, CheckpointDirectory.IndexFileName)))
            {
                Console.Error.WriteLine($"scale: writing {shape.Name} to {model}");
                RandomCheckpoint.Write(model, shape, ScoringBenchmark.RepoPath("samples/models/tiny-llama"), log: Console.Error);
            }
            Console.Error.WriteLine($"scale: {shape.Name}: {rows[i]} rows, {repeats[i]} repeat(s), {MemoryPlan.Gib(AvailableMemory())} GiB available");
            var json = SelfProcess.Run(["scale-child", "--model", model, "--shape", shape.Name, "--rows", rows[i].ToString(CultureInfo.InvariantCulture),
                "--repeats", repeats[i].ToString(CultureInfo.InvariantCulture), "--batch-size", batchSize.ToString(CultureInfo.InvariantCulture), "--dtype", dtype, "--device", device]);
            var m = JsonSerializer.Deserialize<Measurement>(json.Trim().Split('\n')[^1])!;
            results.Add(m);
            Console.Error.WriteLine($"scale: {shape.Name}: load {m.LoadSeconds:F1} s, peak RSS {m.PeakRatio:F2}x checkpoint, {m.ScanMsPerRow:F0} ms/row, forward ratio {m.ForwardRatio:F2}");
            if (!keep) Directory.Delete(model, recursive: true);
        }

        Console.WriteLine("| shape | parameters | checkpoint GB (bf16, shards) | dtype (auto's reason) | load s | RSS after load GB | peak RSS GB | peak RSS / checkpoint | rows (answer tokens, tokens per row) | scan ms/row | forward-only ms/row | closed form speed / forward-only speed (median of per-repeat ratios) | rows/hour (scan) |");
        Console.WriteLine("|---|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
        foreach (var m in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {m.Shape} | {m.Parameters / 1e9:0.00}B | {m.CheckpointBytes / 1e9:0.00} ({m.Shards}) | {m.DType}: {m.Reason} | {m.LoadSeconds:0.0} | {m.RssAfterLoad / 1e9:0.00} | {m.PeakRss / 1e9:0.00} | {m.PeakRatio:0.00} | {m.Rows} ({m.MeanAnswerTokens:0.0}, {m.MeanTokens:0.0}) | {m.ScanMsPerRow:0} | {m.ForwardMsPerRow:0} | {m.ForwardRatio:0.00} | {3_600_000 / m.ScanMsPerRow:0} |"));
        Console.WriteLine();
        Console.WriteLine("Peak RSS = VmHWM of the measuring process (runtime, libtorch, weights, activations; page cache is not resident memory). " +
                          "Scan = GradSentryScorer.Score (encoding, length-bucketed batches, closed-form lm_head probe, scores); forward-only = ForwardHidden over every position of the same batches. " +
                          "ms/row: median over the repeats, scan and forward interleaved. Goals: 7B peak RSS ≤ 1.2× checkpoint bytes; 1B peak RSS ≤ 1.3× and closed form ≥ 0.9 of forward-only speed.");
        return 0;
    }

    static int[] PerShape(string text, int count)
    {
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return Enumerable.Range(0, count).Select(i => values[Math.Min(i, values.Length - 1)]).ToArray();
    }

    static long TotalMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    static long AvailableMemory() => HostMachine.AvailableMemoryBytes() ?? 0;

    internal sealed record Measurement(
        string Shape, long Parameters, long CheckpointBytes, int Shards, string DType, string Reason, long BaselineRss, double LoadSeconds, long RssAfterLoad,
        int Rows, double MeanAnswerTokens, double MeanTokens, double ScanMsPerRow, double ForwardMsPerRow, double ForwardRatio, long PeakRss, double MeanScore)
    {
        public double PeakRatio => (double)PeakRss / CheckpointBytes;
    }

    /// <summary>The measuring side: <c>scale-child --model DIR --shape NAME --rows N --repeats N --batch-size N --dtype D</c>; one JSON <see cref="Measurement"/> on stdout.</summary>
    internal sealed class Child : IBenchmark
    {
        public string Name => "scale-child";

        public string Usage => "scale-child --model DIR --shape NAME --rows N --repeats N --batch-size N --dtype D --device D   (internal: one measurement, JSON on stdout)";

        public int Run(IReadOnlyList<string> args)
        {
            var options = BenchArgs.Parse(args);
            var directory = options.Get("model", "");
            var rowCount = options.GetInt("rows", 16);
            var repeats = options.GetInt("repeats", 1);
            var batchSize = options.GetInt("batch-size", 16);
            var dtype = ComputeDTypes.Parse(options.Get("dtype", "auto"));
            using (var warm = torch.ones(4)) warm.add_(1);
            var baseline = ProcessMemory.ResidentBytes();

            var clock = Stopwatch.StartNew();
            using var model = GradSentryModel.Load(directory, options.Get("device", "cpu"), dtype);
            var loadSeconds = clock.Elapsed.TotalSeconds;
            var afterLoad = ProcessMemory.ResidentBytes();
            var plan = model.Model.MemoryPlan!;
            Console.Error.WriteLine($"scale-child: loaded in {loadSeconds:F1} s, RSS {afterLoad / 1e9:F2} GB; {plan.Reason}");

            var rows = SampleReader.Read(ScoringBenchmark.RepoPath("samples/data/nq-open/efficientqa-test.jsonl"), new ReaderOptions { Template = PromptTemplates.GradSentryQa() })
                .Take(rowCount).Select((r, i) => new ScoringInput(i, r.Prompt, r.Response)).ToList();
            var encoder = model.CreateEncoder();
            var encoded = rows.Select(r => encoder.Encode(r.Id, r.Prompt, r.Response)).ToList();
            // The scorer's batches: sorted by length (ties by row), cut every batchSize rows.
            var batches = encoded.Select((s, i) => (s, i)).OrderBy(p => p.s.Length).ThenBy(p => p.i).Select(p => p.s).Chunk(batchSize).ToList();
            var scoring = new ScoringOptions { BatchSize = batchSize };
            using var scorer = model.CreateScorer(scoring);

            // Warm-up on two rows (kernel selection, first-use allocations), not timed.
            _ = scorer.Score(rows.Take(2)).ToList();
            Forward(model, [.. encoded.Take(2)]);

            var scanMs = new List<double>();
            var forwardMs = new List<double>();
            double meanScore = 0;
            for (var r = 0; r < repeats; r++)
            {
                clock.Restart();
                var scores = scorer.Score(rows).ToList();
                scanMs.Add(clock.Elapsed.TotalMilliseconds / rows.Count);
                if (scores.Any(s => !s.IsScored || !double.IsFinite(s.Score))) throw new InvalidOperationException("a row was not scored: " + scores.First(s => !s.IsScored).Error);
                meanScore = scores.Average(s => s.Score);
                clock.Restart();
                foreach (var batch in batches) Forward(model, batch);
                forwardMs.Add(clock.Elapsed.TotalMilliseconds / rows.Count);
                Console.Error.WriteLine($"scale-child: repeat {r + 1}: scan {scanMs[^1]:F0} ms/row, forward-only {forwardMs[^1]:F0} ms/row");
            }
            var peak = ProcessMemory.PeakResidentBytes();
            var checkpoint = new CheckpointInfo(directory);
            var m = new Measurement(options.Get("shape", Path.GetFileName(directory)), plan.Parameters, checkpoint.Bytes, checkpoint.Shards,
                ComputeDTypes.Name(plan.DType), plan.Reason, baseline, loadSeconds, afterLoad, rows.Count,
                encoded.Average(s => s.AnswerTokens), encoded.Average(s => s.Length), Median(scanMs), Median(forwardMs),
                Median(scanMs.Zip(forwardMs, (scan, forward) => forward / scan).ToList()), peak, meanScore);
            Console.WriteLine(JsonSerializer.Serialize(m));
            return 0;
        }

        static void Forward(GradSentryModel model, IReadOnlyList<EncodedSample> batch)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var tokens = TokenBatch.Create(batch, model.Model.OutputWeight.device);
            model.Model.ForwardHidden(tokens.InputIds).sum().to(ScalarType.Float32).item<float>(); // item() waits for CUDA
        }

        static double Median(List<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    /// <summary>Bytes and shard count of the safetensors files of a model directory.</summary>
    sealed class CheckpointInfo
    {
        public CheckpointInfo(string directory)
        {
            var files = Directory.GetFiles(directory, "*.safetensors");
            Bytes = files.Sum(f => new FileInfo(f).Length);
            Shards = files.Length;
        }

        public long Bytes { get; }

        public int Shards { get; }
    }
}
