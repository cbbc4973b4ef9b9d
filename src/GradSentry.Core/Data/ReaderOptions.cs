namespace GradSentry.Data;

/// <summary>How <see cref="SampleReader"/> reads dataset files.</summary>
public sealed record ReaderOptions
{
    /// <summary>The default limit on one line (or one CSV record): 16 MiB.</summary>
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    /// <summary>The file format; <see langword="null"/> (default) detects it from the extension.</summary>
    public DatasetFormat? Format { get; init; }

    /// <summary>Turns each record into a prompt and a response; default <see cref="PromptTemplates.Raw"/>.</summary>
    public IPromptTemplate Template { get; init; } = PromptTemplates.Raw();

    /// <summary>
    /// The longest line (JSONL) or record (CSV/TSV) accepted, in bytes without the line terminator. Longer ones are
    /// an error raised before the line is buffered beyond this size.
    /// </summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>
    /// When <see langword="false"/> (default) a blank line (empty or only whitespace) is an error, because it usually
    /// means a file was cut or concatenated badly. When <see langword="true"/> blank lines are skipped; they do not
    /// count as rows, but line numbers still count them.
    /// </summary>
    public bool SkipBlankLines { get; init; }
}
