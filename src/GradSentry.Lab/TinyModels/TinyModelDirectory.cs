using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using GradSentry.Models;

namespace GradSentry.Lab.TinyModels;

/// <summary>
/// Writes the bundled tiny model directory (Hugging Face layout) and lets later steps replace its weights: a
/// pre-training command loads it with <see cref="CausalLmLoader"/>, trains, and calls <see cref="ReplaceWeights"/>,
/// which rewrites <c>model.safetensors</c> and the README's provenance and leaves config and tokenizer as they are.
/// </summary>
public static class TinyModelDirectory
{
    /// <summary>The weights file name.</summary>
    public const string WeightsFileName = "model.safetensors";

    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <c>config.json</c>, <c>model.safetensors</c> (F32, random weights of <paramref name="seed"/>), the tokenizer
    /// files and a <c>README.md</c> into <paramref name="directory"/> (created if needed). Same seed, same bytes.
    /// </summary>
    public static void Create(string directory, ulong seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        using var model = TinyLlamaRecipe.Create(seed);
        WriteJson(Path.Combine(directory, CausalLmLoader.ConfigFileName), model.Config.Raw);
        ByteTokenizerFiles.Write(directory);
        ReplaceWeights(directory, model, string.Create(CultureInfo.InvariantCulture,
            $"Random initialization, not trained: `dotnet run --project src/GradSentry.Lab -- create-tiny-model --output <dir> --seed {seed}`. " +
            $"Weights ~ N(0, 0.02), RMSNorm weights 1 + N(0, 0.05), lm_head ~ N(0, {TinyLlamaRecipe.LmHeadStd:0.0###}) (sharp, so scores spread), " +
            $"all drawn in float32 from one CPU torch.Generator seeded with {seed}, parameter by parameter in module order."),
            new Dictionary<string, string>
            {
                ["generator"] = "GradSentry.Lab create-tiny-model",
                ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
                ["lm_head_std"] = TinyLlamaRecipe.LmHeadStd.ToString("R", CultureInfo.InvariantCulture),
            });
    }

    /// <summary>Rewrites <c>model.safetensors</c> from <paramref name="model"/> and the README with <paramref name="provenance"/>.</summary>
    public static void ReplaceWeights(string directory, ICausalLm model, string provenance, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(provenance);
        CausalLmWriter.SaveWeights(model, Path.Combine(directory, WeightsFileName), metadata);
        WriteText(Path.Combine(directory, "README.md"), Readme(model.Config, provenance));
    }

    static string Readme(ModelConfig config, string provenance) => string.Create(CultureInfo.InvariantCulture, $"""
        # tiny-llama (GradSentry bundled model)

        A tiny `{config.Architecture}` in Hugging Face layout, written by GradSentry.Lab for samples, tests and demos.
        It is not a useful language model.

        - Architecture: hidden {config.HiddenSize}, {config.NumLayers} layers, {config.NumHeads} heads / {config.NumKeyValueHeads} KV heads (head_dim {config.HeadDim}),
          SwiGLU width {config.IntermediateSize}, RMSNorm eps {config.NormEpsilon:R}, rope_theta {config.RopeTheta:R}, {config.MaxPositions} positions, untied lm_head.
        - Vocabulary ({config.VocabSize}): every UTF-8 byte is one token with id = byte value (byte-level BPE, empty merges);
          `<s>` = {ByteTokenizerFiles.BosId}, `</s>` = {ByteTokenizerFiles.EosId}, `<pad>` = {ByteTokenizerFiles.PadId}. `tokenizer_config.json` sets `add_bos_token: true`.
        - Weights: `model.safetensors`, float32.

        ## How the weights were made

        {provenance}

        """);

    /// <summary>Writes JSON indented, non-ASCII kept as is, with a trailing newline, via a temporary file and a rename.</summary>
    public static void WriteJson(string path, JsonNode json)
    {
        ArgumentNullException.ThrowIfNull(json);
        WriteText(path, json.ToJsonString(JsonOptions) + "\n");
    }

    static void WriteText(string path, string text)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllText(temporary, text.ReplaceLineEndings("\n"));
        File.Move(temporary, path, overwrite: true);
    }
}
