using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GradSentry.Models.Layers;

/// <summary>A lookup table with one <c>weight</c> parameter <c>[count, width]</c> (HF <c>nn.Embedding</c>), created uninitialized.</summary>
public sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates an uninitialized table.</summary>
    public TokenEmbedding(long count, long width, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(TokenEmbedding))
    {
        Weight = new Parameter(torch.empty([count, width], dtype, device), requires_grad: false);
        register_parameter("weight", Weight);
    }

    /// <summary>The <c>weight</c> parameter <c>[count, width]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>Rows of <see cref="Weight"/> for int64 <paramref name="ids"/> of any shape; the result has shape <c>[..ids, width]</c>.</summary>
    public override Tensor forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = NewDisposeScope();
        long[] shape = [.. ids.shape, Weight.shape[1]];
        return Weight.index_select(0, ids.reshape(-1)).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Does nothing: submodules and parameters are registered explicitly under their Hugging Face names. TorchSharp's
    /// default would also register every field under its C# name, duplicating the tree (<c>_q</c> next to <c>q_proj</c>).
    /// </summary>
    protected override void RegisterComponents()
    {
    }
}
