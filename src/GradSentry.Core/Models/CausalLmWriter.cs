using System.Text.Json;
using System.Text.Json.Nodes;
using GradSentry.Checkpoints;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>Saves a model in Hugging Face layout (the inverse of <see cref="CausalLmLoader"/>), LoRA pairs excluded.</summary>
public static class CausalLmWriter
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Writes <c>config.json</c> (from <see cref="ModelConfig.Raw"/>) and <c>model.safetensors</c> (HF names and layout,
    /// parameters in their current dtype) into <paramref name="directory"/>, creating it if needed. Each file is written
    /// to a temporary name and renamed, so a reader never sees half a file. The same weights give the same bytes.
    /// </summary>
    public static void Save(ICausalLm model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        WriteJson(Path.Combine(directory, CausalLmLoader.ConfigFileName), model.Config.Raw);
        SaveWeights(model, Path.Combine(directory, "model.safetensors"), metadata);
    }

    /// <summary>Writes only the weights file (HF names and layout) to <paramref name="path"/>.</summary>
    public static void SaveWeights(ICausalLm model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var tensors = CheckpointLayout.Standard(model).Entries(model)
            .Select(e => KeyValuePair.Create(e.CheckpointName, e.Transposed ? e.Parameter.detach().t().contiguous() : e.Parameter.detach()))
            .ToList();
        var allMetadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null)
            foreach (var (key, value) in metadata) allMetadata[key] = value;
        SafeTensorsWriter.Write(path, tensors, allMetadata);
    }

    /// <summary>Writes <paramref name="json"/> indented (UTF-8, no BOM, trailing newline) via a temporary file and a rename.</summary>
    internal static void WriteJson(string path, JsonNode json)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(temporary, json.ToJsonString(Indented) + "\n");
        File.Move(temporary, path, overwrite: true);
    }
}
