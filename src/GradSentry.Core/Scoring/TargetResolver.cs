using GradSentry.Models;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>Finds the target parameter of a probe by its Hugging Face name.</summary>
public static class TargetResolver
{
    /// <summary>
    /// True when <paramref name="name"/> means the output projection: <c>lm_head.weight</c> (also for
    /// models with tied embeddings, where it is the embedding matrix) or the output weight's own name.
    /// </summary>
    public static bool IsOutputProjection(ICausalLm model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        return name == ProbeOptions.LmHead || name == model.OutputWeightName;
    }

    /// <summary>The named parameter of <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">No such parameter; the message lists the closest names.</exception>
    public static TorchSharp.Modules.Parameter Find(ICausalLm model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = model.Network.named_parameters().ToList();
        foreach (var (n, p) in all)
            if (n == name) return p;
        var close = all.Select(p => p.name)
            .OrderBy(n => Distance(n, name))
            .Take(5);
        throw new ArgumentException(
            $"the model has no parameter named '{name}'. Closest names: {string.Join(", ", close)}. " +
            "`dotnet gradsentry model info <dir>` lists every candidate.");
    }

    /// <summary>Levenshtein distance, for suggestions.</summary>
    static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
