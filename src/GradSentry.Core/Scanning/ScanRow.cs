using GradSentry.Scoring;
using GradSentry.Verdicts;

namespace GradSentry.Scanning;

/// <summary>One scanned row: where it is, its score and the decision.</summary>
/// <param name="File">Input file, as given.</param>
/// <param name="Row">0-based row within the file.</param>
/// <param name="Line">1-based line where the row starts.</param>
/// <param name="RowHash">SHA-256 (hex) of the row's raw text: identifies a row for baselines independent of its position.</param>
/// <param name="Score">The score or the reason there is none.</param>
/// <param name="Verdict">Flagged, failed, and why.</param>
public sealed record ScanRow(string File, long Row, long Line, string RowHash, SampleScore Score, RowVerdict Verdict)
{
    // Held in 32 bytes: a scan keeps one per row.
    readonly CompactRowHash _rowHash = CompactRowHash.From(RowHash);

    /// <summary>SHA-256 (hex) of the row's raw text: identifies a row for baselines independent of its position.</summary>
    public string RowHash
    {
        get => _rowHash.ToString();
        init => _rowHash = CompactRowHash.From(value);
    }
}

/// <summary>A high-scoring row kept with its text, for reports.</summary>
/// <param name="File">Input file.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Score">Its score.</param>
/// <param name="AnswerTokens">T.</param>
/// <param name="Prompt">Prompt text as the template rendered it.</param>
/// <param name="Response">Response text.</param>
public sealed record SuspectText(string File, long Line, double Score, int AnswerTokens, string Prompt, string Response);
