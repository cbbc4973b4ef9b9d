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
        // Unused bytes in the data block are reported after the tensor inventory: a tensor whose header entry was removed
        // leaves its bytes behind, and it is reported missing by its own name, not as a gap at the next tensor.
        using var checkpoint = CheckpointDirectory.Open(full, deferLayoutProblems: true);
        // Nothing is allocated until config.json is known to describe these weights and they fit in memory.
        var plan = CheckPlan(config, checkpoint, full, options);
        checkpoint.ThrowIfLayoutProblems();
        var model = CausalLmArchitectures.Create(config, plan.DType, options.Device);
        try
        {
            LoadWeights(model, checkpoint, full);
            var adapter = adapterDirectory is null ? null : PeftAdapter.Load(model, adapterDirectory);
            model.Network.eval();
            foreach (var parameter in model.Network.parameters()) parameter.requires_grad_(false);
            return new LoadedCausalLm(model, full, options.Device, plan.DType, adapterDirectory, adapter) { MemoryPlan = plan };
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
        var entries = CheckTensors(model, checkpoint, source);

        using var noGrad = no_grad();
        foreach (var (name, parameter, transposed) in entries)
        {
            if (!transposed)
            {
                checkpoint.CopyInto(name, parameter);
            }
            else
            {
                using var stored = checkpoint.Load(name, parameter.dtype, parameter.device);
                using var layout_ = stored.t();
                parameter.copy_(layout_);
            }
            CheckFinite(checkpoint[name], parameter);
        }
    }

    /// <summary>
    /// Checks <paramref name="config"/> against <paramref name="checkpoint"/> without allocating a weight: the layer count
    /// first (from the tensor names alone, so an absurd <c>num_hidden_layers</c> builds nothing), then every parameter's
    /// name and shape on a model built on the <c>meta</c> device (no storage), then chooses the dtype and checks the memory
    /// the model will take (<see cref="MemoryPlan.Choose"/>).
    /// </summary>
    /// <exception cref="CheckpointException">The config asks for more layers than the checkpoint holds.</exception>
    /// <exception cref="CheckpointMismatchException">Tensors are missing, unexpected or mis-shaped.</exception>
    /// <exception cref="ModelTooLargeException">The model would not fit in the memory available.</exception>
    static MemoryPlan CheckPlan(ModelConfig config, CheckpointDirectory checkpoint, string source, CausalLmLoadOptions options)
    {
        var architecture = CausalLmArchitectures.Find(config.Architecture);
        var layers = checkpoint.Tensors
            .Select(t => architecture.LayerIndex(t.Name))
            .OfType<int>()
            .Distinct()
            .ToList();
        var held = layers.Count == 0 ? 0 : layers.Max() + 1;
        if (config.NumLayers > held)
            throw new CheckpointException(Path.Combine(source, ConfigFileName), null, System.FormattableString.Invariant(
                $"the config asks for {config.NumLayers} layers (num_hidden_layers / n_layer), but the checkpoint holds tensors for {(held == 0 ? "no layer" : $"layers 0 to {held - 1}")}; config.json does not belong to these weights."));

        long parameters = 0;
        using (var meta = CausalLmArchitectures.Create(config, ScalarType.Float32, new Device(DeviceType.META)))
        {
            CheckTensors(meta, checkpoint, source);
            foreach (var parameter in meta.Network.parameters()) parameters += parameter.numel();
        }
        var cpu = options.Device.type == DeviceType.CPU;
        return MemoryPlan.Choose(parameters, options.ComputeDType, options.Device.type, StoredDType(checkpoint), config.TorchDtype,
            cpu ? options.MemoryLimitBytes ?? HostMachine.AvailableMemoryBytes() : null,
            options.NativeBFloat16 ?? (cpu && HostMachine.HasNativeBFloat16), source);
    }

    /// <summary>The floating-point type most of the checkpoint's bytes are stored in, or null when it holds none.</summary>
    static ScalarType? StoredDType(CheckpointDirectory checkpoint) => checkpoint.Tensors
        .Where(t => t.DType.IsFloatingPoint())
        .GroupBy(t => t.DType)
        .OrderByDescending(g => g.Sum(t => t.ByteLength))
        .Select(g => (ScalarType?)g.Key.ToScalarType())
        .FirstOrDefault();

    static IReadOnlyList<(string CheckpointName, TorchSharp.Modules.Parameter Parameter, bool Transposed)> CheckTensors(ICausalLm model, CheckpointDirectory checkpoint, string? source)
    {
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
        {
            var gap = missing.Count > 0 && checkpoint.LayoutProblem is { } problem
                ? " The data block also has bytes no tensor covers, where a missing tensor's data may be (" + problem.Message + ")"
                : "";
            throw new CheckpointMismatchException(source ?? checkpoint.Path, $"{model.Config.Architecture} built from {ConfigFileName}",
                missing, unexpected, misShaped, "Check that config.json belongs to these weights." + gap);
        }
        return entries;
    }

    /// <summary>
    /// Refuses a loaded weight holding NaN or infinity: every score computed from it would be meaningless, and linear
    /// algebra on it fails deep inside libtorch. One pass over the weights, run once at load.
    /// </summary>
    /// <exception cref="CheckpointException">The tensor holds non-finite values (the message names it and counts them).</exception>
    internal static void CheckFinite(SafeTensorInfo stored, Tensor loaded)
    {
        using var scope = NewDisposeScope();
        if (loaded.numel() == 0 || isfinite(loaded).all().item<bool>()) return;
        var nan = isnan(loaded).sum().item<long>();
        var infinite = isinf(loaded).sum().item<long>();
        // Narrowing (float32 to float16, float16 to bfloat16, ...) can turn large finite values into infinities.
        var converted = stored.DType.ToScalarType() == loaded.dtype || loaded.dtype is not (ScalarType.Float16 or ScalarType.BFloat16)
            ? ""
            : $" after conversion from {stored.DType.HeaderName()} to {loaded.dtype} (values beyond the range of {loaded.dtype} become infinite; load in float32)";
        throw new CheckpointException(stored.File, stored.Name, System.FormattableString.Invariant(
            $"the weights hold {nan} NaN and {infinite} infinite value(s){converted}; scores computed from them would be meaningless. The checkpoint is corrupt or was saved after a diverged training run: re-download or re-save it."));
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
