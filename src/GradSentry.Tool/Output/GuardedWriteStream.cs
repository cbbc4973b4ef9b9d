using GradSentry.IO;

namespace GradSentry.Tool.Output;

/// <summary>
/// A stream over an output's temporary file that turns the system's write failures (disk full, file size limit, ...)
/// into an <see cref="OutputWriteException"/> naming the destination, whatever formatter is writing.
/// </summary>
public sealed class GuardedWriteStream(FileStream inner, string destination) : Stream
{
    /// <summary>What the message says happened to the destination.</summary>
    public const string Untouched = "The output was not written and any previous file of that name is unchanged; free space (or write elsewhere) and run again.";

    /// <inheritdoc />
    public override bool CanRead => inner.CanRead;

    /// <inheritdoc />
    public override bool CanSeek => inner.CanSeek;

    /// <inheritdoc />
    public override bool CanWrite => inner.CanWrite;

    /// <inheritdoc />
    public override long Length => inner.Length;

    /// <inheritdoc />
    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    /// <inheritdoc />
    public override void Flush() => Guard(inner.Flush);

    /// <summary>Flushes to disk, where a full disk shows at the latest.</summary>
    public void FlushToDisk() => Guard(() => inner.Flush(flushToDisk: true));

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    /// <inheritdoc />
    public override void SetLength(long value) => Guard(() => inner.SetLength(value));

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Guard(() => inner.Write(buffer, offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (Exception ex) when (OutputWriteException.IsWriteFailure(ex))
        {
            throw new OutputWriteException(destination, ex, Untouched);
        }
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Guard(() => inner.WriteByte(value));

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.WriteAsync(buffer, offset, count, cancellationToken));

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(GuardAsync(() => inner.WriteAsync(buffer, cancellationToken).AsTask()));

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => GuardAsync(() => inner.FlushAsync(cancellationToken));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                inner.Dispose();
            }
            catch (Exception ex) when (OutputWriteException.IsWriteFailure(ex))
            {
                // Buffered bytes that cannot be written: the file is incomplete, and the caller discards it.
                throw new OutputWriteException(destination, ex, Untouched);
            }
        }
        base.Dispose(disposing);
    }

    void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (OutputWriteException.IsWriteFailure(ex))
        {
            throw new OutputWriteException(destination, ex, Untouched);
        }
    }

    async Task GuardAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (OutputWriteException.IsWriteFailure(ex))
        {
            throw new OutputWriteException(destination, ex, Untouched);
        }
    }
}
