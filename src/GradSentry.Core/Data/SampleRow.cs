namespace GradSentry.Data;

/// <summary>One training sample as read from a dataset file.</summary>
/// <param name="File">The file it came from, as given to the reader.</param>
/// <param name="Row">0-based index of the data row within its file (a CSV header is not a row; skipped blank lines are not rows).</param>
/// <param name="Line">1-based physical line where the row starts (a CSV record with quoted newlines spans several).</param>
/// <param name="Prompt">The prompt text the template produced (may be empty).</param>
/// <param name="Response">The response text the template produced (never empty: there must be something to score).</param>
/// <param name="RawLine">
/// The row's original text, decoded from UTF-8 exactly, without its final line terminator and without a leading
/// byte-order mark. A CSV record spanning several physical lines keeps its interior line breaks as written.
/// Writing the kept rows' <see cref="RawLine"/> values back reproduces the input byte for byte.
/// </param>
/// <param name="Extra">
/// The record's fields the template did not read, in file order: JSON strings as their text, JSON null as
/// <see langword="null"/>, other JSON values as their raw JSON text; CSV cells as written.
/// </param>
public sealed record SampleRow(
    string File,
    long Row,
    long Line,
    string Prompt,
    string Response,
    string RawLine,
    IReadOnlyDictionary<string, string?> Extra);
