using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GradSentry.Models;
using GradSentry.Scoring;
using static TorchSharp.torch;

namespace GradSentry.Bench;

/// <summary>
/// Peak resident memory of scoring on a large vocabulary with long answers, with the output layer taken a group of
/// samples at a time (<see cref="ProbeOptions.MaxOutputElements"/>, the default) and the whole batch at once, for the
/// lm_head closed form and for the batched backward probe (each run in a fresh child process); the scores must agree.
/// </summary>
internal sealed class OutputMemoryBenchmark : IBenchmark
{
    public string Name => "output-memory";

    public string Usage => "output-memory [--vocab 152064] [--answer 300] [--batch-size 16]";

    public int Run(IReadOnlyList<string> args)
    {
        var options = BenchArgs.Parse(args);
        string[] common = ["--vocab", options.Get("vocab", "152064"), "--answer", options.Get("answer", "300"), "--batch-size", options.Get("batch-size", "16")];
        Console.WriteLine("| target | output layer | max output elements | peak RSS (MB) | seconds | mean score |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        var agree = true;
        foreach (var target in new[] { ProbeOptions.LmHead, "model.layers.0.mlp.down_proj.weight" })
        {
            var means = new HashSet<string>();
            foreach (var (label, elements) in new[] { ("in groups (default)", new ProbeOptions().MaxOutputElements), ("whole batch", long.MaxValue) })
            {
                var line = SelfProcess.Run(["output-memory-child", .. common, "--target", target, "--elements", elements.ToString(CultureInfo.InvariantCulture)]).Trim();
                Console.WriteLine($"| {target} | {label} {line}");
                means.Add(line.Split('|', StringSplitOptions.RemoveEmptyEntries)[^1].Trim());
            }
            agree &= means.Count == 1;
        }
        Console.WriteLine();
        Console.WriteLine(agree ? "mean scores agree (to the 6 decimals printed)" : "mean scores DIFFER");
        return agree ? 0 : 2;
    }

    internal sealed class Child : IBenchmark
    {
        public string Name => "output-memory-child";

        public string Usage => "output-memory-child --vocab V --answer T --batch-size B --target NAME --elements E";

        public int Run(IReadOnlyList<string> args)
        {
            var options = BenchArgs.Parse(args);
            var vocab = options.GetInt("vocab", 152064);
            var answer = options.GetInt("answer", 300);
            var batchSize = options.GetInt("batch-size", 16);
            var elements = long.Parse(options.Get("elements", "33554432"), CultureInfo.InvariantCulture);
            var config = ModelConfig.FromJson(new JsonObject
            {
                ["architectures"] = new JsonArray("Qwen2ForCausalLM"),
                ["model_type"] = "qwen2",
                ["vocab_size"] = vocab,
                ["hidden_size"] = 128,
                ["intermediate_size"] = 256,
                ["num_hidden_layers"] = 2,
                ["num_attention_heads"] = 4,
                ["num_key_value_heads"] = 2,
                ["max_position_embeddings"] = 2048,
                ["rms_norm_eps"] = 1e-6,
                ["tie_word_embeddings"] = false,
            }, "bench config (wide vocabulary)");
            using var model = CausalLmArchitectures.Create(config, ScalarType.Float32, CPU);
            RandomInitializer.Initialize(model, new RandomInitOptions { Seed = 1 });
            var random = new Random(3);
            var batch = Enumerable.Range(0, batchSize).Select(i =>
            {
                var p = random.Next(20, 60);
                var t = answer + random.Next(0, 20);
                return new EncodedSample(i, Enumerable.Range(0, p + t).Select(_ => random.Next(vocab)).ToArray(), p, t);
            }).ToList();
            using var probe = GradientProbes.Create(model, new ProbeOptions { TargetParameter = options.Get("target", ProbeOptions.LmHead), MaxOutputElements = elements });
            var clock = Stopwatch.StartNew();
            var spectra = probe.Probe(batch);
            var mean = spectra.Average(s => SpectralEntropy.Score(s.SingularValues));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {elements} | {ProcessMemory.PeakResidentBytes() / 1048576.0:0} | {clock.Elapsed.TotalSeconds:0.0} | {mean:0.000000} |"));
            return 0;
        }
    }
}
