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
    /// When <see langword="true"/> (default) blank lines (empty or only whitespace) are skipped, as pandas and Hugging
    /// Face <c>datasets</c> skip them: they are not rows, line numbers still count them, and <see cref="BlankLines"/>
    /// counts them. When <see langword="false"/> a blank line is an error.
    /// </summary>
    public bool SkipBlankLines { get; init; } = true;

    /// <summary>Counts the blank lines skipped (each file and line once, however often the files are read); null: not counted.</summary>
    public BlankLineCounter? BlankLines { get; init; }
}
