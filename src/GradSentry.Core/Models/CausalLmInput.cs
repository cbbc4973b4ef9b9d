using static TorchSharp.torch;

namespace GradSentry.Models;

/// <summary>Checks the inputs of <see cref="ICausalLm.ForwardHidden"/> and <see cref="ICausalLm.ForwardHiddenAt"/> before they reach native code.</summary>
static class CausalLmInput
{
    /// <summary>
    /// The query arguments of <see cref="ICausalLm.ForwardHiddenAt"/>: <paramref name="sharedPrefix"/> in <c>[0, L)</c> and
    /// really shared by every row of <paramref name="inputIds"/> <c>[B, L]</c>, then <paramref name="positions"/> int64
    /// <c>[B, Q]</c> (Q ≥ 1) at or after the shared prefix and before L. Throws <see cref="ArgumentException"/> otherwise.
    /// </summary>
    public static void ValidateQueries(Tensor inputIds, Tensor positions, int sharedPrefix)
    {
        ValidateSharedPrefix(inputIds, sharedPrefix);
        ValidatePositions(positions, inputIds.shape[0], inputIds.shape[1], sharedPrefix);
    }

    static void ValidatePositions(Tensor positions, long batch, long length, long firstAllowed)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.dim() != 2 || positions.shape[0] != batch || positions.shape[1] < 1)
            throw new ArgumentException($"positions must be [{batch}, Q] with Q >= 1, got [{string.Join(", ", positions.shape)}].", nameof(positions));
        if (positions.dtype != ScalarType.Int64)
            throw new ArgumentException($"positions must be int64, got {positions.dtype}.", nameof(positions));
        using var scope = NewDisposeScope();
        var low = positions.min().item<long>();
        var high = positions.max().item<long>();
        if (low < firstAllowed || high >= length)
            throw new ArgumentException(
                $"positions must lie in [{firstAllowed}, {length}){(firstAllowed > 0 ? " (at or after the shared prefix)" : "")}, found values in [{low}, {high}].",
                nameof(positions));
    }

    static void ValidateSharedPrefix(Tensor inputIds, int sharedPrefix)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (sharedPrefix < 0 || sharedPrefix >= inputIds.shape[1])
            throw new ArgumentOutOfRangeException(nameof(sharedPrefix), sharedPrefix, $"the shared prefix must lie in [0, {inputIds.shape[1]}).");
        if (sharedPrefix == 0) return;
        using var scope = NewDisposeScope();
        var prefix = inputIds.narrow(1, 0, sharedPrefix);
        if (!prefix.eq(prefix.narrow(0, 0, 1)).all().item<bool>())
            throw new ArgumentException($"the first {sharedPrefix} tokens are not the same in every row, so they cannot be computed once.", nameof(sharedPrefix));
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="inputIds"/> is int64 <c>[B, L]</c> with ids in
    /// <c>[0, vocab)</c>, <c>L ≤ maxLength</c> (when given), and <paramref name="attentionMask"/> (when given) is
    /// <c>[B, L]</c> of 0/1 and right-padded.
    /// </summary>
    public static void Validate(Tensor inputIds, Tensor? attentionMask, long vocabSize, long? maxLength, string maxLengthReason)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2 || inputIds.shape[1] < 1)
            throw new ArgumentException($"input ids must be [batch, length] with length >= 1, got [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        if (inputIds.dtype != ScalarType.Int64)
            throw new ArgumentException($"input ids must be int64, got {inputIds.dtype}.", nameof(inputIds));
        if (maxLength is { } max && inputIds.shape[1] > max)
            throw new ArgumentException($"input length {inputIds.shape[1]} exceeds {max} ({maxLengthReason}).", nameof(inputIds));
        using var scope = NewDisposeScope();
        if (inputIds.numel() > 0)
        {
            var low = inputIds.min().item<long>();
            var high = inputIds.max().item<long>();
            if (low < 0 || high >= vocabSize)
                throw new ArgumentException($"input ids must lie in [0, {vocabSize}), found values in [{low}, {high}].", nameof(inputIds));
        }
        if (attentionMask is null) return;
        if (!attentionMask.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"attention mask shape [{string.Join(", ", attentionMask.shape)}] differs from input ids [{string.Join(", ", inputIds.shape)}].", nameof(attentionMask));
        var mask = attentionMask.to(ScalarType.Int64);
        if (mask.lt(0).logical_or(mask.gt(1)).any().item<bool>())
            throw new ArgumentException("attention mask values must be 0 or 1.", nameof(attentionMask));
        var length = mask.shape[1];
        if (length > 1 && mask.narrow(1, 1, length - 1).gt(mask.narrow(1, 0, length - 1)).any().item<bool>())
            throw new ArgumentException("attention mask must be right-padded (each row 1…1 then 0…0); left padding is not supported.", nameof(attentionMask));
    }
}
