using GradSentry.Checkpoints;

namespace GradSentry.Models;

/// <summary>
/// The model would not fit in the memory available: raised before any weight is allocated, so a model that is too
/// large ends with a message (how much it needs, how much there is, which <c>--dtype</c> or <c>--device</c> helps)
/// instead of an out-of-memory kill.
/// </summary>
public sealed class ModelTooLargeException : CheckpointException
{
    /// <summary>Creates the exception.</summary>
    public ModelTooLargeException() : base("the model does not fit in memory") { }

    /// <summary>Creates the exception.</summary>
    public ModelTooLargeException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public ModelTooLargeException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for <paramref name="source"/>.</summary>
    /// <param name="source">The model directory.</param>
    /// <param name="neededBytes">Estimated memory in the dtype tried.</param>
    /// <param name="availableBytes">Memory available.</param>
    /// <param name="smallestBytes">Estimated memory in the smallest dtype (bfloat16).</param>
    /// <param name="detail">The full explanation.</param>
    public ModelTooLargeException(string source, long neededBytes, long availableBytes, long smallestBytes, string detail)
        : base(source, null, detail)
    {
        NeededBytes = neededBytes;
        AvailableBytes = availableBytes;
        SmallestBytes = smallestBytes;
    }

    /// <summary>Estimated memory in the dtype that was tried.</summary>
    public long NeededBytes { get; }

    /// <summary>Memory available when the check ran.</summary>
    public long AvailableBytes { get; }

    /// <summary>Estimated memory in the smallest dtype (bfloat16).</summary>
    public long SmallestBytes { get; }
}
