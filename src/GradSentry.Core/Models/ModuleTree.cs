using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>Module traversal in PyTorch's order (pre-order, depth first), which TorchSharp's <c>named_modules()</c> does not follow.</summary>
static class ModuleTree
{
    /// <summary>Every submodule below <paramref name="root"/> (the root itself excluded) with its dotted name, parents before children.</summary>
    public static IEnumerable<(string Name, nn.Module Module)> PreOrder(nn.Module root)
    {
        foreach (var (name, child) in root.named_children())
        {
            yield return (name, child);
            foreach (var (below, module) in PreOrder(child)) yield return (name + "." + below, module);
        }
    }
}
