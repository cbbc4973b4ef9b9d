using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Llama;

/// <summary>SwiGLU feed-forward: <c>down_proj(silu(gate_proj(x)) · up_proj(x))</c>.</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    readonly ProbeableLinear _gate;
    readonly ProbeableLinear _up;
    readonly ProbeableLinear _down;

    /// <summary>Creates uninitialized projections for <paramref name="config"/>.</summary>
    public LlamaMlp(ModelConfig config, ScalarType dtype, Device? device) : base(nameof(LlamaMlp))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.HiddenAct != "silu")
            throw new InvalidDataException($"hidden_act '{config.HiddenAct}' is not supported for {config.Architecture}; supported: silu.");
        _gate = new ProbeableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        _up = new ProbeableLinear(config.HiddenSize, config.IntermediateSize, config.MlpBias, dtype, device);
        _down = new ProbeableLinear(config.IntermediateSize, config.HiddenSize, config.MlpBias, dtype, device);
        register_module("gate_proj", _gate);
        register_module("up_proj", _up);
        register_module("down_proj", _down);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _down.call(nn.functional.silu(_gate.call(x)).mul(_up.call(x))).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
