using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GradSentry.Checkpoints;
using TorchSharp;

namespace GradSentry.Bench;

/// <summary>
/// Peak resident memory and time of loading a Llama-shaped safetensors checkpoint into preallocated
/// parameters with <see cref="SafeTensorsFile.CopyInto"/> (and with <see cref="SafeTensorsFile.Load"/>).
/// The parent writes the checkpoints; each measurement runs in a fresh child process so that neither
/// generation nor an earlier case inflates its resident memory.
/// </summary>
internal sealed class CheckpointLoadBenchmark : IBenchmark
{
    const int Hidden = 1024, Intermediate = 2816, Vocab = 32000;

    public string Name => "checkpoint-load";

    public string Usage => "checkpoint-load [--size-mb 600] [--dir PATH] [--keep]   peak RSS / tensor bytes and time of loading a random Llama-shaped checkpoint";

    public int Run(IReadOnlyList<string> args)
    {
        var sizeMb = 600;
        string? dir = null;
        var keep = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--size-mb" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out sizeMb) && sizeMb > 0:
                    i++;
                    break;
                case "--dir" when i + 1 < args.Count:
                    dir = args[++i];
                    break;
                case "--keep":
                    keep = true;
                    break;
                default:
                    Console.Error.WriteLine($"checkpoint-load: unexpected argument '{args[i]}'. Usage: {Usage}");
                    return 1;
            }
        }

        var work = dir is null ? Directory.CreateTempSubdirectory("gradsentry-bench-").FullName : Directory.CreateDirectory(dir).FullName;
        try
        {
            var f32 = Path.Combine(work, "f32.safetensors");
            var f16 = Path.Combine(work, "f16.safetensors");
            var layers = Generate(sizeMb, f32, f16);
            Console.Error.WriteLine($"checkpoint-load: {layers} layers, F32 file {Mb(new FileInfo(f32).Length)} MB, F16 file {Mb(new FileInfo(f16).Length)} MB in {work}");

            var cases = new (string Label, string File, string Mode)[]
            {
                ("F32 file → F32 params, CopyInto", f32, "copyinto"),
                ("F16 file → F32 params, CopyInto", f16, "copyinto"),
                ("F32 file → F32, Load (new tensors)", f32, "load"),
                ("F16 file → F32, Load (new tensors)", f16, "load"),
            };
            var rows = new List<(string Label, Measurement M)>();
            foreach (var (label, file, mode) in cases)
            {
                var json = SelfProcess.Run(["checkpoint-load-child", file, mode]);
                var m = JsonSerializer.Deserialize<Measurement>(json.Trim().Split('\n')[^1])!;
                rows.Add((label, m));
                Console.Error.WriteLine($"checkpoint-load: {label}: ratio {m.Ratio:F3}, {m.Seconds:F2} s");
            }

            Console.WriteLine();
            Console.WriteLine("| case | tensors | file MB | param MB | baseline RSS MB | peak RSS MB | (peak − baseline) / param bytes | load s | param GB/s |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (label, m) in rows)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {label} | {m.Tensors} | {Mb(m.FileBytes)} | {Mb(m.TensorBytes)} | {Mb(m.BaselineRss)} | {Mb(m.PeakRss)} | {m.Ratio:F3} | {m.Seconds:F2} | {m.TensorBytes / m.Seconds / 1e9:F2} |"));
            Console.WriteLine();
            Console.WriteLine(rows.All(r => r.M.PeakWasReset)
                ? "Peak = VmHWM after resetting it (clear_refs) at the baseline; page cache warm (files just written); goal ratio ≤ 1.3."
                : "Peak = VmHWM since process start (clear_refs not permitted); page cache warm (files just written); goal ratio ≤ 1.3.");
            return rows.All(r => r.M.Ratio <= 1.3) ? 0 : 2;
        }
        finally
        {
            if (!keep && dir is null) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Writes the F32 checkpoint and its F16 copy; returns the layer count.</summary>
    static int Generate(int sizeMb, string f32Path, string f16Path)
    {
        var shapes = LlamaShapes(sizeMb, out var layers);
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1234);
        var tensors = shapes.Select(s => new KeyValuePair<string, torch.Tensor>(s.Name, torch.randn(s.Shape) * 0.02)).ToList();
        SafeTensorsWriter.Write(f32Path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["generator"] = "GradSentry.Bench" });
        var half = tensors.Select(t => new KeyValuePair<string, torch.Tensor>(t.Key, t.Value.to(torch.ScalarType.Float16))).ToList();
        SafeTensorsWriter.Write(f16Path, half, new Dictionary<string, string> { ["format"] = "pt" });
        return layers;
    }

    /// <summary>Parameter names and shapes of a Llama model (hidden 1024, MLP 2816, vocab 32000) of at least <paramref name="sizeMb"/> MB in F32.</summary>
    static List<(string Name, long[] Shape)> LlamaShapes(int sizeMb, out int layers)
    {
        const long perLayer = 4L * Hidden * Hidden + 3L * Hidden * Intermediate + 2L * Hidden;
        const long fixedPart = 2L * Vocab * Hidden + Hidden;
        var targetElements = sizeMb * (1L << 20) / 4;
        layers = (int)Math.Max(1, (targetElements - fixedPart + perLayer - 1) / perLayer);
        var shapes = new List<(string, long[])>
        {
            ("model.embed_tokens.weight", [Vocab, Hidden]),
            ("model.norm.weight", [Hidden]),
            ("lm_head.weight", [Vocab, Hidden]),
        };
        for (var l = 0; l < layers; l++)
        {
            var p = $"model.layers.{l}.";
            shapes.Add((p + "input_layernorm.weight", [Hidden]));
            shapes.Add((p + "post_attention_layernorm.weight", [Hidden]));
            foreach (var proj in new[] { "q_proj", "k_proj", "v_proj", "o_proj" }) shapes.Add((p + "self_attn." + proj + ".weight", [Hidden, Hidden]));
            shapes.Add((p + "mlp.gate_proj.weight", [Intermediate, Hidden]));
            shapes.Add((p + "mlp.up_proj.weight", [Intermediate, Hidden]));
            shapes.Add((p + "mlp.down_proj.weight", [Hidden, Intermediate]));
        }
        return shapes;
    }

    static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

    internal sealed record Measurement(int Tensors, long FileBytes, long TensorBytes, long BaselineRss, long PeakRss, long FinalRss, double Seconds, bool PeakWasReset)
    {
        public double Ratio => (double)(PeakRss - BaselineRss) / TensorBytes;
    }

    /// <summary>The measuring side: <c>checkpoint-load-child FILE copyinto|load</c>; prints one JSON <see cref="Measurement"/>.</summary>
    internal sealed class Child : IBenchmark
    {
        public string Name => "checkpoint-load-child";

        public string Usage => "checkpoint-load-child FILE copyinto|load   (internal: one measurement, JSON on stdout)";

        public int Run(IReadOnlyList<string> args)
        {
            if (args.Count != 2 || args[1] is not ("copyinto" or "load"))
            {
                Console.Error.WriteLine("usage: " + Usage);
                return 1;
            }
            // Load libtorch and run one op so its one-time costs are in the baseline.
            using (var warm = torch.ones(4)) warm.add_(1);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var baseline = ProcessMemory.ResidentBytes();
            var reset = ProcessMemory.ResetPeak();

            using var file = SafeTensorsFile.Open(args[0]);
            var parameters = new List<torch.Tensor>();
            long tensorBytes = 0;
            double seconds;
            if (args[1] == "copyinto")
            {
                // Like a model's parameters: allocated and initialised before the checkpoint is read.
                foreach (var t in file.Tensors)
                {
                    var p = torch.zeros(t.Shape, torch.ScalarType.Float32);
                    parameters.Add(p);
                    tensorBytes += p.numel() * 4;
                }
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < parameters.Count; i++) file.CopyInto(file.Tensors[i].Name, parameters[i]);
                seconds = clock.Elapsed.TotalSeconds;
            }
            else
            {
                var clock = Stopwatch.StartNew();
                foreach (var t in file.Tensors)
                {
                    var p = file.Load(t.Name, torch.ScalarType.Float32, torch.CPU);
                    parameters.Add(p);
                    tensorBytes += p.numel() * 4;
                }
                seconds = clock.Elapsed.TotalSeconds;
            }
            var peak = ProcessMemory.PeakResidentBytes();
            var final = ProcessMemory.ResidentBytes();
            // A cheap check that real data arrived: the generator drew N(0, 0.02²).
            var std = parameters[0].std().item<float>();
            if (std is < 0.015f or > 0.025f) throw new InvalidOperationException($"unexpected std {std} in {file.Tensors[0].Name}");
            foreach (var p in parameters) p.Dispose();
            var m = new Measurement(file.Tensors.Count, new FileInfo(args[0]).Length, tensorBytes, baseline, peak, final, seconds, reset);
            Console.WriteLine(JsonSerializer.Serialize(m));
            return 0;
        }
    }
}
