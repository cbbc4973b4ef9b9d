using System.Globalization;
using GradSentry.Checkpoints;
using GradSentry.Models.Layers;
using static TorchSharp.torch;

namespace GradSentry.Models.Lora;

/// <summary>
/// Reads and writes LoRA adapters in PEFT's layout: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c>
/// with tensors <c>base_model.model.&lt;module&gt;.lora_A.weight</c> <c>[r, in]</c> and <c>.lora_B.weight</c> <c>[out, r]</c>.
/// </summary>
public static class PeftAdapter
{
    /// <summary>The adapter configuration file name.</summary>
    public const string ConfigFileName = "adapter_config.json";

    /// <summary>The adapter weights file name.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>The prefix PEFT puts before module names in adapter files.</summary>
    public const string TensorPrefix = "base_model.model.";

    /// <summary>Whether <paramref name="directory"/> holds an <c>adapter_config.json</c>.</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, ConfigFileName));

    /// <summary>
    /// Attaches the adapter in <paramref name="directory"/> to <paramref name="model"/> (not merged) and loads its weights.
    /// On any error nothing stays attached.
    /// </summary>
    /// <exception cref="InvalidDataException">Bad or unsupported <c>adapter_config.json</c>, or targets that do not fit the model.</exception>
    /// <exception cref="CheckpointException">The weights file is missing (or only pickled), unreadable, or does not match (<see cref="CheckpointMismatchException"/>).</exception>
    public static LoraAdapterConfig Load(ICausalLm model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var config = LoraAdapterConfig.Load(Path.Combine(directory, ConfigFileName));
        var weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(weightsPath))
        {
            var pickled = File.Exists(Path.Combine(directory, "adapter_model.bin"));
            throw new CheckpointException(directory, null, pickled
                ? $"only a pickled adapter_model.bin is present; pickled files can run code when loaded and are refused. Save the adapter with safe_serialization=True to get {WeightsFileName}."
                : $"{ConfigFileName} is present but {WeightsFileName} is missing.");
        }
        using var weights = CheckpointDirectory.Open(weightsPath, deferLayoutProblems: true); // missing tensors are named before gaps
        var attached = LoraAttacher.Attach(model, config);
        try
        {
            Fill(model, attached, weights, weightsPath);
        }
        catch
        {
            foreach (var name in attached) model.GetLinear(name).RemoveLora();
            throw;
        }
        return config;
    }

    /// <summary>
    /// Writes the LoRA pairs attached to <paramref name="model"/> as a PEFT adapter into <paramref name="directory"/>
    /// (created if needed). All pairs must share one rank, alpha and scaling rule (PEFT's config has one of each).
    /// <c>target_modules</c> lists the attached layers' last name segments when those select exactly the attached
    /// layers, and their full names otherwise.
    /// </summary>
    /// <returns>The written configuration.</returns>
    /// <exception cref="InvalidOperationException">No pair is attached, or pairs differ in rank, alpha or scaling rule.</exception>
    public static LoraAdapterConfig Save(ICausalLm model, string directory, string? baseModelNameOrPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var linears = model.Linears();
        var adapted = linears.Where(l => l.Value.LoraA is not null).ToList();
        if (adapted.Count == 0) throw new InvalidOperationException("the model has no LoRA pair to save.");
        var first = adapted[0].Value;
        var odd = adapted.FirstOrDefault(l => l.Value.LoraRank != first.LoraRank || l.Value.LoraAlpha != first.LoraAlpha || l.Value.LoraUsesRsLora != first.LoraUsesRsLora);
        if (odd.Value is not null)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"LoRA pairs differ ('{adapted[0].Key}': r={first.LoraRank}, alpha={first.LoraAlpha}; '{odd.Key}': r={odd.Value.LoraRank}, alpha={odd.Value.LoraAlpha}); a PEFT adapter has one rank and alpha."));
        var config = new LoraAdapterConfig
        {
            Rank = first.LoraRank,
            Alpha = first.LoraAlpha,
            UseRsLora = first.LoraUsesRsLora,
            TargetModules = DescribeTargets(model, adapted.Select(a => a.Key).ToList()),
            BaseModelNameOrPath = baseModelNameOrPath,
        };

        Directory.CreateDirectory(directory);
        using (var scope = NewDisposeScope())
        {
            var tensors = adapted.SelectMany(a => new[]
            {
                KeyValuePair.Create(TensorPrefix + a.Key + "." + ProbeableLinear.LoraAName + ".weight", a.Value.LoraA!.Weight.detach()),
                KeyValuePair.Create(TensorPrefix + a.Key + "." + ProbeableLinear.LoraBName + ".weight", a.Value.LoraB!.Weight.detach()),
            }).ToList();
            SafeTensorsWriter.Write(Path.Combine(directory, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        }
        CausalLmWriter.WriteJson(Path.Combine(directory, ConfigFileName), config.ToJson());
        return config;
    }

    static void Fill(ICausalLm model, IReadOnlyList<string> attached, CheckpointDirectory weights, string source)
    {
        var expected = attached.SelectMany(name => new[] { (name, ProbeableLinear.LoraAName), (name, ProbeableLinear.LoraBName) })
            .Select(e =>
            {
                var layer = model.GetLinear(e.name);
                var target = e.Item2 == ProbeableLinear.LoraAName ? layer.LoraA! : layer.LoraB!;
                return (TensorName: TensorPrefix + e.name + "." + e.Item2 + ".weight", Target: target.Weight);
            })
            .ToList();
        var missing = new List<string>();
        var misShaped = new List<TensorShapeMismatch>();
        foreach (var (name, target) in expected)
        {
            if (!weights.TryGet(name, out var info)) missing.Add(name);
            else if (!info.Shape.AsSpan().SequenceEqual(target.shape)) misShaped.Add(new TensorShapeMismatch(name, target.shape, info.Shape));
        }
        var known = expected.Select(e => e.TensorName).ToHashSet(StringComparer.Ordinal);
        var unexpected = weights.Tensors.Select(t => t.Name).Where(n => !known.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count + misShaped.Count + unexpected.Count > 0)
            throw new CheckpointMismatchException(source, $"the LoRA layers {ConfigFileName} targets in {model.Config.Architecture}",
                missing, unexpected, misShaped, "Check that the adapter was trained for this base model and that its target_modules and r match its weights.");
        weights.ThrowIfLayoutProblems();
        using var noGrad = no_grad();
        foreach (var (name, target) in expected)
        {
            weights.CopyInto(name, target);
            CausalLmLoader.CheckFinite(weights[name], target);
        }
    }

    static LoraTargets DescribeTargets(ICausalLm model, IReadOnlyList<string> adapted)
    {
        var leaves = LoraTargets.FromNames(adapted.Select(n => n.Split('.')[^1]));
        var adaptedSet = adapted.ToHashSet(StringComparer.Ordinal);
        var exact = ModuleTree.PreOrder(model.Network)
            .Where(m => !m.Name.Split('.').Any(s => s is ProbeableLinear.LoraAName or ProbeableLinear.LoraBName))
            .All(m => leaves.Matches(m.Name) == adaptedSet.Contains(m.Name));
        return exact ? leaves : LoraTargets.FromNames(adapted);
    }
}
