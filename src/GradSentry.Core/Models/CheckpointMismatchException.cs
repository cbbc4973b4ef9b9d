using System.Globalization;
using System.Text;
using GradSentry.Checkpoints;

namespace GradSentry.Models;

/// <summary>
/// A checkpoint's tensors do not fit the module tree built from <c>config.json</c> (or an adapter does not fit its
/// model). One exception lists every missing, unexpected and mis-shaped tensor at once.
/// </summary>
public sealed class CheckpointMismatchException : CheckpointException
{
    const int ListedPerKind = 20;

    /// <summary>Creates an exception with a generic message and empty lists.</summary>
    public CheckpointMismatchException() : this("checkpoint does not match the model") { }

    /// <summary>Creates an exception with <paramref name="message"/> and empty lists.</summary>
    public CheckpointMismatchException(string message) : base(message) { }

    /// <summary>Creates an exception with <paramref name="message"/>, an inner cause and empty lists.</summary>
    public CheckpointMismatchException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for <paramref name="file"/> listing every problem.</summary>
    /// <param name="file">The checkpoint directory or file.</param>
    /// <param name="what">What it was loaded into, e.g. <c>LlamaForCausalLM built from config.json</c>.</param>
    /// <param name="missing">Parameters the model has and the checkpoint lacks.</param>
    /// <param name="unexpected">Checkpoint tensors the model has no parameter for.</param>
    /// <param name="misShaped">Tensors present in both with different shapes.</param>
    /// <param name="hint">How to fix it.</param>
    public CheckpointMismatchException(string file, string what, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<TensorShapeMismatch> misShaped, string hint)
        : base(file, null, Describe(what, missing, unexpected, misShaped, hint))
    {
        Missing = missing;
        Unexpected = unexpected;
        MisShaped = misShaped;
    }

    /// <summary>Parameters the model has and the checkpoint lacks.</summary>
    public IReadOnlyList<string> Missing { get; } = [];

    /// <summary>Checkpoint tensors the model has no parameter for.</summary>
    public IReadOnlyList<string> Unexpected { get; } = [];

    /// <summary>Tensors present in both with different shapes.</summary>
    public IReadOnlyList<TensorShapeMismatch> MisShaped { get; } = [];

    static string Describe(string what, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<TensorShapeMismatch> misShaped, string hint)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"the tensors do not match {what}.");
        Append(text, "missing", missing.ToList());
        Append(text, "unexpected", unexpected.ToList());
        Append(text, "mis-shaped", misShaped.Select(m => m.ToString()).ToList());
        text.Append(' ').Append(hint);
        return text.ToString();
    }

    static void Append(StringBuilder text, string kind, List<string> items)
    {
        if (items.Count == 0) return;
        text.Append(CultureInfo.InvariantCulture, $" {kind} ({items.Count}): ");
        text.AppendJoin(", ", items.Take(ListedPerKind));
        if (items.Count > ListedPerKind) text.Append(CultureInfo.InvariantCulture, $", ... and {items.Count - ListedPerKind} more");
        text.Append(';');
    }
}

/// <summary>A tensor whose checkpoint shape differs from the model's.</summary>
/// <param name="Name">Checkpoint tensor name.</param>
/// <param name="Expected">Shape the model expects (in checkpoint layout).</param>
/// <param name="Found">Shape the checkpoint holds.</param>
public sealed record TensorShapeMismatch(string Name, IReadOnlyList<long> Expected, IReadOnlyList<long> Found)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} (model expects [{string.Join(", ", Expected)}], checkpoint holds [{string.Join(", ", Found)}])");
}
