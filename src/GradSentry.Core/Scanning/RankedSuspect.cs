namespace GradSentry.Scanning;

/// <summary>A top suspect with the global index that breaks score ties (lower first), so shards merge exactly.</summary>
/// <param name="GlobalIndex">0-based index of the row over all files.</param>
/// <param name="Text">The row's text and score.</param>
public sealed record RankedSuspect(long GlobalIndex, SuspectText Text);
