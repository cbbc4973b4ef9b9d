namespace GradSentry.Checkpoints;

/// <summary>A tensor to be written by <see cref="SafeTensorsWriter.WriteStreaming"/>: its name, element type and shape.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The shape.</param>
public sealed record SafeTensorSpec(string Name, SafeTensorsDType DType, long[] Shape)
{
    /// <summary>Elements (the product of the shape).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>Bytes of data.</summary>
    public long ByteLength => checked(ElementCount * DType.ElementSize());
}
