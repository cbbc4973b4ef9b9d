using GradSentry.Models;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// While alive, the target is the only parameter of the model that requires grad; every parameter's flag is restored
/// on dispose. Two reasons: the graph then starts at the target (no work for frozen layers below it), and "the loss
/// requires grad" means exactly "the loss depends on the target", which <see cref="EnsureDependsOnTarget"/> checks in
/// managed code. libtorch's <c>autograd.grad</c> on a loss without that dependence throws a native error that ends
/// the process instead of reaching .NET.
/// </summary>
internal sealed class GradientTargetScope : IDisposable
{
    readonly List<(Tensor Parameter, bool RequiredGrad)> _saved = [];
    readonly string _targetName;

    /// <summary>Freezes every parameter of <paramref name="model"/>, then lets <paramref name="target"/> (a parameter or a leaf copy) require grad.</summary>
    public GradientTargetScope(ICausalLm model, Tensor target, string targetName)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(target);
        _targetName = targetName;
        foreach (var parameter in model.Network.parameters())
        {
            _saved.Add((parameter, parameter.requires_grad));
            if (parameter.requires_grad) parameter.requires_grad_(false);
        }
        if (!_saved.Any(s => s.Parameter.Handle == target.Handle)) _saved.Add((target, target.requires_grad));
        target.requires_grad_(true);
    }

    /// <summary>Throws a managed error when <paramref name="loss"/> does not depend on the target (so no gradient exists).</summary>
    /// <exception cref="ArgumentException">The target takes no part in computing the loss.</exception>
    public void EnsureDependsOnTarget(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (!loss.requires_grad)
            throw new ArgumentException(
                $"the loss does not depend on '{_targetName}': the model's forward pass never uses it, so it has no gradient to score.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (parameter, required) in _saved)
            if (parameter.requires_grad != required) parameter.requires_grad_(required);
    }
}
