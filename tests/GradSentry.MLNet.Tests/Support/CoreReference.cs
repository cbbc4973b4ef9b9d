using GradSentry.Scoring;

namespace GradSentry.MLNet.Tests.Support;

/// <summary>What the engine says about the same rows, called directly (no ML.NET).</summary>
public static class CoreReference
{
    /// <summary>Scores rows with the bundled model and <paramref name="options"/> (the engine's defaults when null).</summary>
    public static List<SampleScore> Score(IEnumerable<(string Prompt, string Response)> rows, ScoringOptions? options = null)
    {
        using var model = GradSentryModel.Load(TestPaths.TinyModel, "cpu");
        using var scorer = model.CreateScorer(options ?? new ScoringOptions());
        return [.. scorer.Score(rows.Select((r, i) => new ScoringInput(i, r.Prompt, r.Response)))];
    }

    public static List<SampleScore> Score(IEnumerable<QaRow> rows, ScoringOptions? options = null) =>
        Score(rows.Select(r => (r.Prompt, r.Response)), options);
}
