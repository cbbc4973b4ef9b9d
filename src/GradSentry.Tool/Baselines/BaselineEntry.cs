namespace GradSentry.Tool.Baselines;

/// <summary>One reviewed row: a flagged row a person looked at and accepted.</summary>
/// <param name="RowHash">SHA-256 (hex) of the row's raw text: the entry follows the row when lines move.</param>
/// <param name="File">The file it was found in (for people; matching uses the hash).</param>
/// <param name="Line">The line it was found at (for people).</param>
/// <param name="Score">Its score when reviewed.</param>
/// <param name="ReviewedBy">Who reviewed it.</param>
/// <param name="Reason">Why it is accepted.</param>
public sealed record BaselineEntry(string RowHash, string File, long Line, double Score, string ReviewedBy, string Reason);
