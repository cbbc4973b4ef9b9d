using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>
/// RMS normalization as Hugging Face's <c>LlamaRMSNorm</c>: in float32, <c>x · rsqrt(mean(x²) + eps)</c>, cast back to
/// the input dtype, then times <c>weight</c>.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly double _epsilon;

    /// <summary>Creates an uninitialized norm of width <paramref name="size"/>.</summary>
    public RmsNorm(long size, double epsilon, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(RmsNorm))
    {
        _epsilon = epsilon;
        Weight = new Parameter(torch.empty([size], dtype, device), requires_grad: false);
        register_parameter("weight", Weight);
    }

    /// <summary>The <c>weight</c> parameter.</summary>
    public Parameter Weight { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var x = input.to(ScalarType.Float32);
        var variance = x.pow(2).mean([-1], keepdim: true);
        x = x.mul(torch.rsqrt(variance.add(_epsilon)));
        return Weight.mul(x.to(input.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
