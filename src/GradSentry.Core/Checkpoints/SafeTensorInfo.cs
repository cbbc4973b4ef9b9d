namespace GradSentry.Checkpoints;

/// <summary>One tensor entry of a safetensors header, validated.</summary>
/// <param name="Name">The tensor name (non-empty).</param>
/// <param name="DType">The element type as stored.</param>
/// <param name="Shape">The dimensions; empty for a scalar. Do not modify.</param>
/// <param name="DataOffset">Absolute byte offset of the first element in <paramref name="File"/>.</param>
/// <param name="ByteLength">Number of bytes (element size × element count).</param>
/// <param name="File">Full path of the safetensors file holding the tensor.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorsDType DType, long[] Shape, long DataOffset, long ByteLength, string File)
{
    /// <summary>Number of elements (product of <see cref="Shape"/>; 1 for a scalar).</summary>
    public long ElementCount => ByteLength / DType.ElementSize();

    /// <summary>The shape as <c>[a, b, c]</c>, for messages.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Formats a shape as <c>[a, b, c]</c> (invariant culture).</summary>
    public static string FormatShape(ReadOnlySpan<long> shape)
    {
        var parts = new string[shape.Length];
        for (var i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "[" + string.Join(", ", parts) + "]";
    }
}
