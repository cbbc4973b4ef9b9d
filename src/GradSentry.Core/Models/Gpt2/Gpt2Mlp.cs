using GradSentry.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Models.Gpt2;

/// <summary>GPT-2 feed-forward: <c>c_proj(gelu_new(c_fc(x)))</c>.</summary>
public sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    static readonly double SqrtTwoOverPi = Math.Sqrt(2.0 / Math.PI);
    readonly ProbeableLinear _fc;
    readonly ProbeableLinear _proj;

    /// <summary>Creates uninitialized projections.</summary>
    public Gpt2Mlp(ModelConfig config, ScalarType dtype, Device? device) : base(nameof(Gpt2Mlp))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.HiddenAct != "gelu_new")
            throw new InvalidDataException($"activation_function '{config.HiddenAct}' is not supported for GPT2LMHeadModel; supported: gelu_new.");
        _fc = new ProbeableLinear(config.HiddenSize, config.IntermediateSize, hasBias: true, dtype, device);
        _proj = new ProbeableLinear(config.IntermediateSize, config.HiddenSize, hasBias: true, dtype, device);
        register_module("c_fc", _fc);
        register_module("c_proj", _proj);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _proj.call(GeluNew(_fc.call(x))).MoveToOuterDisposeScope();
    }

    /// <summary>HF <c>NewGELUActivation</c>, op for op: <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>.</summary>
    public static Tensor GeluNew(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var inner = x.add(x.pow(3.0).mul(0.044715)).mul(SqrtTwoOverPi);
        return x.mul(0.5).mul(inner.tanh().add(1.0)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
