using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using GradSentry.Data;
using GradSentry.Models;
using GradSentry.Models.Lora;
using GradSentry.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Bench;

/// <summary>
/// Throughput of the probes, all in one process so the ratios hold on a noisy machine:
/// naive reference loop vs the closed-form lm_head path vs a full forward pass over the same
/// batches, and vs the lean forward the closed form itself runs (last layer at the predicting positions only, a
/// batch-wide common prefix once); the batched LoRA-target path vs its naive loop.
/// Repetitions are interleaved; medians are reported.
/// </summary>
internal sealed class ScoringBenchmark : IBenchmark
{
    public string Name => "scoring";

    public string Usage => "scoring [--models tiny,large,tiny-qa,large-qa] [--samples 96] [--naive-samples 12] [--batch-size 16] [--repeats 3] [--device cpu]";

    public int Run(IReadOnlyList<string> args)
    {
        var options = BenchArgs.Parse(args);
        var models = options.Get("models", "tiny,large,tiny-qa,large-qa").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var samples = options.GetInt("samples", 96);
        var naiveSamples = options.GetInt("naive-samples", 12);
        var batchSize = options.GetInt("batch-size", 16);
        var repeats = options.GetInt("repeats", 3);
        var device = GradSentry.TorchRuntime.ResolveDevice(options.Get("device", "cpu"));
        Console.WriteLine($"# GradSentry scoring benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}, device {device})");
        Console.WriteLine();
        Console.WriteLine("| model | path | samples/s (median) | vs naive | vs forward-only | max abs score diff vs naive |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var name in models)
        {
            // "-qa": real NQ-open rows in the reference's own prompt (gradsentry-qa), tokenized by the bundled tokenizer,
            // so every prompt starts with the same preamble; otherwise uniform random ids of the sizes in Workload.
            var qa = name.EndsWith("-qa", StringComparison.Ordinal);
            using var model = (qa ? name[..^3] : name) switch
            {
                "tiny" => CausalLmLoader.Load(RepoPath("samples/models/tiny-llama"), new CausalLmLoadOptions { Device = device }),
                "large" => (ICausalLm)LargeRandomLlama(device),
                _ => throw new ArgumentException($"unknown model '{name}' (tiny, large, tiny-qa, large-qa)"),
            };
            var data = qa ? QaWorkload(Math.Max(samples, naiveSamples)) : Workload(model.Config.VocabSize, Math.Max(samples, naiveSamples), seed: 17);
            if (qa)
            {
                RunLmHead(name, model, data.Take(samples).ToList(), data.Take(naiveSamples).ToList(), batchSize, repeats);
                continue;
            }
            RunLmHead(name, model, data.Take(samples).ToList(), data.Take(naiveSamples).ToList(), batchSize, repeats);
            RunLora(name, model, data.Take(samples).ToList(), data.Take(naiveSamples).ToList(), batchSize, repeats);
        }
        return 0;
    }

    static void RunLmHead(string name, ICausalLm model, List<EncodedSample> data, List<EncodedSample> naiveData, int batchSize, int repeats)
    {
        var options = new ProbeOptions();
        using var fast = new LmHeadClosedFormProbe(model, options);
        using var naive = new NaiveAutogradProbe(model, options);
        var batches = Bucket(data, batchSize);
        Warm(fast, naive, naiveData, batches, model);
        var naiveRate = new List<double>();
        var fastRate = new List<double>();
        var forwardRate = new List<double>();
        var leanRate = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            naiveRate.Add(Rate(naiveData.Count, () => naive.Probe(naiveData)));
            fastRate.Add(Rate(data.Count, () => { foreach (var b in batches) fast.Probe(b); }));
            forwardRate.Add(Rate(data.Count, () => { foreach (var b in batches) ForwardOnly(model, b); }));
            leanRate.Add(Rate(data.Count, () => { foreach (var b in batches) LeanForward(model, b); }));
        }
        var diff = MaxScoreDiff(naive.Probe(naiveData), fast.Probe(naiveData));
        Row(name, "naive (batch 1, autograd, full SVD)", Median(naiveRate), 1, null, null);
        Row(name, $"closed form lm_head (batch {batchSize})", Median(fastRate), Median(fastRate) / Median(naiveRate), Median(fastRate) / Median(forwardRate), diff);
        Row(name, $"forward only (batch {batchSize})", Median(forwardRate), Median(forwardRate) / Median(naiveRate), 1, null);
        Row(name, $"lean forward: last layer at predicting positions, common prefix once (batch {batchSize})", Median(leanRate), Median(leanRate) / Median(naiveRate), Median(leanRate) / Median(forwardRate), null);
    }

    static void RunLora(string name, ICausalLm model, List<EncodedSample> data, List<EncodedSample> naiveData, int batchSize, int repeats)
    {
        LoraAttacher.AttachFresh(model, ["q_proj", "v_proj"], r: 4, alpha: 8, seed: 3);
        // Stand-in for a trained adapter: B != 0 (with B = 0, lora_A has no gradient at all).
        using (no_grad())
            foreach (var (n, p) in model.Network.named_parameters())
                if (n.Contains("lora_B", StringComparison.Ordinal)) p.copy_(randn(p.shape, generator: new Generator(5)).to(p.device) * 0.02);
        var target = $"model.layers.{model.Config.NumLayers / 2}.self_attn.v_proj.lora_A.weight";
        var options = new ProbeOptions { TargetParameter = target, Rank = 4 };
        using var fast = new LinearBatchedProbe(model, options);
        using var naive = new NaiveAutogradProbe(model, options);
        var batches = Bucket(data, batchSize);
        fast.Probe(batches[0]);
        naive.Probe(naiveData.Take(2).ToList());
        var naiveRate = new List<double>();
        var fastRate = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            naiveRate.Add(Rate(naiveData.Count, () => naive.Probe(naiveData)));
            fastRate.Add(Rate(data.Count, () => { foreach (var b in batches) fast.Probe(b); }));
        }
        var diff = MaxScoreDiff(naive.Probe(naiveData), fast.Probe(naiveData));
        Row(name, $"naive LoRA target ({target})", Median(naiveRate), 1, null, null);
        Row(name, $"batched backward LoRA target (batch {batchSize})", Median(fastRate), Median(fastRate) / Median(naiveRate), null, diff);
        LoraAttacher.RemoveAll(model);
    }

    static void Warm(LmHeadClosedFormProbe fast, NaiveAutogradProbe naive, List<EncodedSample> naiveData, List<List<EncodedSample>> batches, ICausalLm model)
    {
        fast.Probe(batches[0]);
        naive.Probe(naiveData.Take(2).ToList());
        ForwardOnly(model, batches[0]);
    }

    static void ForwardOnly(ICausalLm model, List<EncodedSample> batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var tokens = TokenBatch.Create(batch, model.OutputWeight.device);
        model.ForwardHidden(tokens.InputIds).sum().item<float>(); // force completion (CUDA is asynchronous)
    }

    /// <summary>The closed form's own forward: <see cref="ICausalLm.ForwardHiddenAt"/> as the probe calls it, nothing after it.</summary>
    static void LeanForward(ICausalLm model, List<EncodedSample> batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var tokens = TokenBatch.Create(batch, model.OutputWeight.device);
        model.ForwardHiddenAt(tokens.InputIds, tokens.PredictorGrid, tokens.SharedPrefix).sum().item<float>();
    }

    /// <summary>Samples sorted by length and cut into batches, as the scorer's length bucketing does.</summary>
    static List<List<EncodedSample>> Bucket(List<EncodedSample> data, int batchSize) =>
        data.OrderBy(s => s.Length).Chunk(batchSize).Select(c => c.ToList()).ToList();

    /// <summary>The first NQ-open evaluation rows, encoded with the gradsentry-qa template as the tool would.</summary>
    static List<EncodedSample> QaWorkload(int count)
    {
        using var bundled = GradSentryModel.Load(RepoPath("samples/models/tiny-llama"), "cpu");
        var encoder = bundled.CreateEncoder();
        var rows = SampleReader.Read(RepoPath("samples/data/nq-open/efficientqa-dev.jsonl"),
            new ReaderOptions { Template = PromptTemplates.GradSentryQa() });
        return rows.Take(count).Select((row, i) => encoder.Encode(i, row.Prompt, row.Response)).ToList();
    }

    /// <summary>Prompts ~100 tokens, answers 4–40 tokens, uniform random ids (random models care only about shapes).</summary>
    static List<EncodedSample> Workload(int vocab, int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var p = random.Next(80, 121);
            var t = random.Next(4, 41);
            return new EncodedSample(i, Enumerable.Range(0, p + t).Select(_ => random.Next(vocab)).ToArray(), p, t);
        }).ToList();
    }

    static ICausalLm LargeRandomLlama(Device device)
    {
        var config = ModelConfig.FromJson(new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"),
            ["model_type"] = "llama",
            ["vocab_size"] = 32000,
            ["hidden_size"] = 512,
            ["intermediate_size"] = 1376,
            ["num_hidden_layers"] = 8,
            ["num_attention_heads"] = 8,
            ["num_key_value_heads"] = 8,
            ["max_position_embeddings"] = 1024,
            ["rms_norm_eps"] = 1e-6,
            ["tie_word_embeddings"] = false,
        }, "bench config (d 512, 8 layers, vocab 32000)");
        var model = CausalLmArchitectures.Create(config, ScalarType.Float32, device);
        RandomInitializer.Initialize(model, new RandomInitOptions { Seed = 1 });
        return model;
    }

    static double MaxScoreDiff(IReadOnlyList<GradientSpectrum> a, IReadOnlyList<GradientSpectrum> b) =>
        a.Zip(b).Max(p => Math.Abs(SpectralEntropy.Score(p.First.SingularValues) - SpectralEntropy.Score(p.Second.SingularValues)));

    static double Rate(int count, Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return count / clock.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    static void Row(string model, string path, double rate, double vsNaive, double? vsForward, double? diff) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {path} | {rate:0.0} | {vsNaive:0.0}x | {(vsForward is { } f ? f.ToString("0.00", CultureInfo.InvariantCulture) : "")} | {(diff is { } d ? d.ToString("0.0e0", CultureInfo.InvariantCulture) : "")} |"));

    internal static string RepoPath(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GradSentry.MLNet.sln"))) return Path.Combine(dir.FullName, relative);
        throw new InvalidOperationException("run the bench from inside the repository");
    }
}
