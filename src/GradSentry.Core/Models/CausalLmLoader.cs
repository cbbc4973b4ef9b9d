using GradSentry.Checkpoints;
using GradSentry.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>Loads a Hugging Face model directory (config.json + safetensors, optional PEFT LoRA adapter) into TorchSharp modules.</summary>
public static class CausalLmLoader
{
    /// <summary>The model configuration file name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>
    /// Reads <c>config.json</c>, builds the architecture on <see cref="CausalLmLoadOptions.Device"/> in
    /// <see cref="CausalLmLoadOptions.ComputeDType"/>, copies every parameter from the checkpoint by name, and attaches
    /// the LoRA adapter if one is given or lies in <paramref name="directory"/>. The model is in eval mode and no
    /// parameter requires grad (probes enable what they need).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>config.json</c> (or a named adapter's files) is missing.</exception>
    /// <exception cref="InvalidDataException">The config is invalid or names an unsupported architecture (the message lists the supported ones).</exception>
    /// <exception cref="CheckpointMismatchException">Tensors are missing, unexpected or mis-shaped (all listed at once).</exception>
    /// <exception cref="CheckpointException">The weights cannot be read (e.g. only pickled <c>.bin</c> files are present).</exception>
    public static LoadedCausalLm Load(string directory, CausalLmLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new CausalLmLoadOptions();
        options.Validate();
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"model directory '{full}' does not exist.");
        var configPath = Path.Combine(full, ConfigFileName);
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"'{full}' has no {ConfigFileName}; a model directory in Hugging Face layout is expected.", configPath);
        var config = ModelConfig.Load(configPath);
        CausalLmArchitectures.Find(config.Architecture);

        var adapterDirectory = options.UseAdapter ? ResolveAdapterDirectory(full, options.AdapterDirectory) : null;
        using var checkpoint = CheckpointDirectory.Open(full);
        var model = CausalLmArchitectures.Create(config, options.ComputeDType, options.Device);
        try
        {
            LoadWeights(model, checkpoint, full);
            var adapter = adapterDirectory is null ? null : PeftAdapter.Load(model, adapterDirectory);
            model.Network.eval();
            foreach (var parameter in model.Network.parameters()) parameter.requires_grad_(false);
            return new LoadedCausalLm(model, full, options.Device, options.ComputeDType, adapterDirectory, adapter);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies every base-model parameter of <paramref name="model"/> from <paramref name="checkpoint"/> (plain name match,
    /// HF layout). Nothing is copied unless every parameter is present with the right shape and no unknown tensor is left.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">Tensors are missing, unexpected or mis-shaped.</exception>
    public static void LoadWeights(ICausalLm model, CheckpointDirectory checkpoint, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var layout = CheckpointLayout.Of(model, checkpoint);
        var entries = layout.Entries(model);
        var missing = new List<string>();
        var misShaped = new List<TensorShapeMismatch>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter, transposed) in entries)
        {
            expected.Add(name);
            var shape = CheckpointLayout.CheckpointShape(parameter, transposed);
            if (!checkpoint.TryGet(name, out var info)) missing.Add(name);
            else if (!info.Shape.AsSpan().SequenceEqual(shape)) misShaped.Add(new TensorShapeMismatch(name, shape, info.Shape));
        }
        var unexpected = checkpoint.Tensors
            .Select(t => t.Name)
            .Where(n => !expected.Contains(n) && !layout.IsKnownExtra(n, model))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (missing.Count + misShaped.Count + unexpected.Count > 0)
            throw new CheckpointMismatchException(source ?? checkpoint.Path, $"{model.Config.Architecture} built from {ConfigFileName}",
                missing, unexpected, misShaped, "Check that config.json belongs to these weights.");

        using var noGrad = no_grad();
        foreach (var (name, parameter, transposed) in entries)
        {
            if (!transposed)
            {
                checkpoint.CopyInto(name, parameter);
                continue;
            }
            using var stored = checkpoint.Load(name, parameter.dtype, parameter.device);
            using var layout_ = stored.t();
            parameter.copy_(layout_);
        }
    }

    static string? ResolveAdapterDirectory(string modelDirectory, string? requested)
    {
        if (requested is null) return PeftAdapter.Exists(modelDirectory) ? modelDirectory : null;
        var full = Path.GetFullPath(requested);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"adapter directory '{full}' does not exist.");
        if (!PeftAdapter.Exists(full))
            throw new FileNotFoundException($"adapter directory '{full}' has no {PeftAdapter.ConfigFileName}.", Path.Combine(full, PeftAdapter.ConfigFileName));
        return full;
    }
}
