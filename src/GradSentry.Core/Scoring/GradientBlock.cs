namespace GradSentry.Scoring;

/// <summary>The part of a weight gradient the spectrum is taken of (the reference's slicing rule).</summary>
/// <param name="Rows">Rows kept (output features / vocabulary entries).</param>
/// <param name="Columns">Columns kept (input features / hidden units).</param>
public readonly record struct GradientBlock(int Rows, int Columns)
{
    /// <summary>
    /// The block of a <paramref name="rows"/> × <paramref name="columns"/> gradient: the whole matrix for a
    /// LoRA factor or slice factor 1, else <c>[:rows/s, :columns/s]</c>. Checks that it has at least k singular values.
    /// </summary>
    /// <exception cref="ArgumentException">The block is empty or smaller than k.</exception>
    public static GradientBlock For(string parameterName, long rows, long columns, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(parameterName);
        ArgumentNullException.ThrowIfNull(options);
        var whole = options.SliceFactor == 1 || IsLoraFactor(parameterName);
        var block = new GradientBlock((int)(whole ? rows : rows / options.SliceFactor), (int)(whole ? columns : columns / options.SliceFactor));
        var available = Math.Min(block.Rows, block.Columns);
        if (available < options.Rank)
            throw new ArgumentException(
                $"rank k = {options.Rank} is larger than the gradient block of '{parameterName}' allows: " +
                $"[{rows} x {columns}] sliced by {(whole ? 1 : options.SliceFactor)} is [{block.Rows} x {block.Columns}], " +
                $"which has at most {available} singular values. Use --rank {Math.Max(2, available)} or a smaller --slice.");
        return block;
    }

    /// <summary>True for PEFT LoRA factor names (<c>...lora_A.weight</c>, <c>...lora_B.weight</c>).</summary>
    public static bool IsLoraFactor(string parameterName) =>
        parameterName.Contains(".lora_A.", StringComparison.Ordinal) || parameterName.Contains(".lora_B.", StringComparison.Ordinal);
}
