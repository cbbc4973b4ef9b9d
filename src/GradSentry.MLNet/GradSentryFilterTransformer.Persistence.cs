using GradSentry.MLNet.Internal;
using GradSentry.Thresholds;

namespace GradSentry.MLNet;

public sealed partial class GradSentryFilterTransformer
{
    const string SavedFormat = "GradSentry.MLNet.GradSentryFilterTransformer";
    const int SavedVersion = 2;

    /// <summary>Writes the options, the learned threshold (value, method, details) and the fit-time counts as JSON. The stream is left open.</summary>
    /// <remarks>ML.NET's zip format (<c>mlContext.Model.Save</c>) is closed to transformers outside ML.NET; this is how to persist the filter.</remarks>
    public void Save(Stream stream) =>
        SavedJson.Write(stream, new SavedFilter(SavedFormat, SavedVersion, _options, ThresholdResult, RowCount, ScoredRowCount)
        {
            FlaggedRows = FlaggedRowKeys,
            DetectorOutcome = DetectorOutcome,
        });

    /// <summary>Reads a filter written by <see cref="Save(Stream)"/>; the threshold is restored exactly, not learned again.</summary>
    /// <exception cref="InvalidDataException">The stream is not a saved filter, or its options are invalid.</exception>
    public static GradSentryFilterTransformer Load(Stream stream)
    {
        var saved = SavedJson.Read<SavedFilter>(stream, SavedFormat, s => s.Format, s => s.Version, SavedVersion);
        if (saved.Options is null || saved.Threshold is null || saved.Threshold.Details is null)
            throw new InvalidDataException($"The saved {SavedFormat} lacks its options or threshold.");
        try
        {
            saved.Options.Validate();
        }
        catch (System.ComponentModel.DataAnnotations.ValidationException ex)
        {
            throw new InvalidDataException($"The saved {SavedFormat} has invalid options: {ex.Message}", ex);
        }
        if (saved.ScoredRowCount < 0 || saved.RowCount < saved.ScoredRowCount)
            throw new InvalidDataException($"The saved {SavedFormat} has impossible counts (rows {saved.RowCount}, scored {saved.ScoredRowCount}).");
        var options = saved.Options.Clone();
        // Version 1 knew only the reference detector (and saved no detector name, which now defaults to another).
        if (saved.Version == 1) options.Detector = GradSentry.Scoring.ScoreKinds.ReferenceName;
        if (!options.IsDatasetDetector)
            return new GradSentryFilterTransformer(options, saved.Threshold, saved.RowCount, saved.ScoredRowCount);
        if (saved.FlaggedRows is null || saved.FlaggedRows.Any(k => k is null || k.Length != 32 || !k.All(char.IsAsciiHexDigitLower)))
            throw new InvalidDataException($"The saved {SavedFormat} of the {options.Detector} detector lacks its flagged rows or holds a malformed one.");
        var flagged = new HashSet<string>(saved.FlaggedRows, StringComparer.Ordinal);
        return new GradSentryFilterTransformer(options, new DatasetFit(saved.Threshold, flagged, saved.RowCount, saved.ScoredRowCount,
            saved.DetectorOutcome ?? "", [], []));
    }

    /// <summary>The saved form; groups are not saved (their evidence is in the fit's reports), the flagged rows are.</summary>
    sealed record SavedFilter(string Format, int Version, GradSentryFilterOptions Options, ThresholdResult Threshold, long RowCount, long ScoredRowCount)
    {
        public IReadOnlyCollection<string>? FlaggedRows { get; init; }

        public string? DetectorOutcome { get; init; }
    }
}
