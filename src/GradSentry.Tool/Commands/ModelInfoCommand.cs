using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GradSentry.Checkpoints;
using GradSentry.Models;
using GradSentry.Scanning;
using GradSentry.Scoring;
using static TorchSharp.torch;

namespace GradSentry.Tool.Commands;

/// <summary>
/// <c>dotnet gradsentry model info DIR</c>: architecture, parameter counts, stored and compute dtypes, tokenizer, adapter,
/// and the parameter names <c>scan --target</c> accepts.
/// </summary>
public sealed class ModelInfoCommand
{
    static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    readonly Argument<string> _directory = new("DIR") { Description = "Hugging Face model directory." };

    readonly Option<string> _format = new("--format") { Description = "text or json.", DefaultValueFactory = _ => "text", HelpName = "text|json" };

    /// <summary>Builds <c>model</c> with its <c>info</c> subcommand.</summary>
    public Command Create()
    {
        var info = new Command("info", "Show a model directory's architecture, parameter counts, dtypes, tokenizer, adapter and candidate target parameters.");
        info.Arguments.Add(_directory);
        info.Options.Add(_format);
        _format.AcceptOnlyFromAmong("text", "json");
        info.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(() => Task.FromResult(Run(parse))));
        var model = new Command("model", "Inspect models.");
        model.Subcommands.Add(info);
        return model;
    }

    int Run(ParseResult parse)
    {
        var directory = parse.GetValue(_directory)!;
        using var loaded = Load(directory);
        var info = Describe(loaded, directory);
        var stdout = Console.Out;
        if (parse.GetValue(_format) == "json")
        {
            stdout.WriteLine(JsonSerializer.Serialize(info, JsonOptions));
            return ExitCodes.Passed;
        }
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine($"model          {info.Directory}");
        stdout.WriteLine($"architecture   {info.Architecture} ({info.ModelType}); {info.Layers} layers, hidden {info.HiddenSize}, {info.Heads} heads / {info.KeyValueHeads} KV heads, MLP {info.IntermediateSize}, {info.MaxPositions} positions");
        stdout.WriteLine(string.Create(inv, $"parameters     {info.Parameters:N0} ({info.TrainableParameters:N0} in the adapter)"));
        stdout.WriteLine($"dtypes         stored {string.Join(", ", info.StoredDTypes)}; computed in {info.ComputeDType} on the CPU (scan --dtype to change)");
        stdout.WriteLine($"tokenizer      {info.Tokenizer.Kind}, {info.Tokenizer.VocabSize} tokens (config vocab {info.VocabSize}); bos {Id(info.Tokenizer.Bos)}, eos {Id(info.Tokenizer.Eos)}, add_bos_token {info.Tokenizer.AddBos.ToString().ToLowerInvariant()}");
        stdout.WriteLine($"adapter        {info.Adapter ?? "none"}");
        stdout.WriteLine($"default target {ProbeOptions.LmHead} -> {info.OutputWeight}");
        stdout.WriteLine("targets (--target NAME):");
        foreach (var target in info.Targets)
            stdout.WriteLine($"  {target.Name,-48} [{target.Shape}]");
        return ExitCodes.Passed;
    }

    static string Id(int? id) => id?.ToString(CultureInfo.InvariantCulture) ?? "none";

    static GradSentryModel Load(string directory)
    {
        try
        {
            return GradSentryModel.Load(directory, "cpu");
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or JsonException)
        {
            throw new ModelLoadException(directory, ex.Message, ex);
        }
    }

    static ModelInfo Describe(GradSentryModel model, string directory)
    {
        var config = model.Model.Config;
        long total = 0, adapter = 0;
        foreach (var (name, parameter) in model.Model.Network.named_parameters())
        {
            total += parameter.numel();
            if (name.Contains(".lora_", StringComparison.Ordinal)) adapter += parameter.numel();
        }
        var stored = new SortedSet<string>(StringComparer.Ordinal);
        using (var checkpoint = CheckpointDirectory.Open(model.Directory))
            foreach (var tensor in checkpoint.Tensors) stored.Add(tensor.DType.ToString());
        var targets = model.Model.Linears()
            .Select(l => new TargetInfo(l.Key + ".weight", string.Create(CultureInfo.InvariantCulture, $"{l.Value.OutFeatures}, {l.Value.InFeatures}")))
            .ToList();
        var adapterText = model.Model.Adapter is { } a
            ? string.Create(CultureInfo.InvariantCulture, $"LoRA r={a.Rank}, alpha={a.Alpha}, scaling {a.Scaling:0.###} ({model.Model.AdapterDirectory})")
            : null;
        var tokenizer = model.Tokenizer;
        return new ModelInfo(model.Directory, directory, config.Architecture, config.ModelType, config.NumLayers, config.HiddenSize, config.NumHeads,
            config.NumKeyValueHeads, config.IntermediateSize, config.MaxPositions, config.VocabSize, total, adapter, [.. stored],
            ComputeDTypes.Name(model.Model.ComputeDType), new TokenizerInfo(tokenizer.Kind, tokenizer.VocabSize, tokenizer.BosTokenId, tokenizer.EosTokenId, tokenizer.AddBosToken),
            adapterText, model.Model.OutputWeightName, targets);
    }

    /// <summary>What <c>model info</c> reports.</summary>
    sealed record ModelInfo(string Directory, string GivenAs, string Architecture, string ModelType, int Layers, int HiddenSize, int Heads, int KeyValueHeads,
        int IntermediateSize, int MaxPositions, int VocabSize, long Parameters, long TrainableParameters, IReadOnlyList<string> StoredDTypes, string ComputeDType,
        TokenizerInfo Tokenizer, string? Adapter, string OutputWeight, IReadOnlyList<TargetInfo> Targets);

    sealed record TokenizerInfo(string Kind, int VocabSize, int? Bos, int? Eos, bool AddBos);

    sealed record TargetInfo(string Name, string Shape);
}
