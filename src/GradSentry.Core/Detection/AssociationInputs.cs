using System.Globalization;
using GradSentry.Scoring;

namespace GradSentry.Detection;

/// <summary>What the trigger-conditional verdict concluded about a dataset, for reports.</summary>
/// <param name="Verdict">The association test's verdict; null when it could not run (see <paramref name="Fallback"/>).</param>
/// <param name="Fallback">Why the verdict fell back to the reference score and rule; null when the test ran.</param>
public sealed record AssociationOutcome(AssociationVerdict? Verdict, string? Fallback)
{
    /// <summary>The outcome in one line.</summary>
    public string Summary => Verdict?.Outcome ?? $"fell back to the reference score and rule: {Fallback}";
}

/// <summary>The distinct words of a row's prompt and answer (<see cref="WordVocabulary.Words"/>), as shards carry them to <c>merge</c>.</summary>
/// <param name="Prompt">Words of the rendered prompt.</param>
/// <param name="Answer">Words of the response.</param>
public sealed record AssociationWords(IReadOnlyList<string> Prompt, IReadOnlyList<string> Answer)
{
    /// <summary>The words of <paramref name="prompt"/> and <paramref name="response"/>.</summary>
    public static AssociationWords Of(string prompt, string response) => new(WordVocabulary.Words(prompt ?? ""), WordVocabulary.Words(response ?? ""));
}

/// <summary>
/// Collects what <see cref="TriggerAssociation"/> needs while rows are scored (their words and sketches), then decides.
/// Words are kept as ids; the sketches are the scan's own.
/// </summary>
public sealed class AssociationInputs
{
    readonly WordVocabulary _vocabulary = new();
    readonly Dictionary<long, AssociationRow> _rows = [];

    /// <summary>Records a scored row (failed rows are skipped: they have no sketch).</summary>
    public void Add(SampleScore score, string prompt, string response) =>
        Add(score, new AssociationWords(WordVocabulary.Words(prompt ?? ""), WordVocabulary.Words(response ?? "")));

    /// <summary>Records a scored row by its words (failed rows are skipped: they have no sketch).</summary>
    /// <exception cref="ArgumentException">A scored row has no sketch.</exception>
    public void Add(SampleScore score, AssociationWords words)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(words);
        if (!score.IsScored) return;
        if (score.Sketch is null) throw new ArgumentException($"row {score.Id} has no gradient sketch; the trigger-conditional verdict needs one for every scored row.", nameof(score));
        _rows[score.Id] = new AssociationRow(_vocabulary.DistinctIds(words.Prompt), _vocabulary.DistinctIds(words.Answer), score.Sketch);
    }

    /// <summary>
    /// The final scores of <paramref name="scores"/> (kind <see cref="ScoreKind.TriggerConditional"/>, the reference score
    /// kept in <see cref="SampleScore.ReferenceScore"/>) and the outcome. With fewer scored rows than the test needs, the
    /// rows keep their reference scores and the outcome names the fallback.
    /// </summary>
    public (IReadOnlyList<SampleScore> Scores, AssociationOutcome Outcome) Decide(IReadOnlyList<SampleScore> scores, TriggerAssociationOptions options)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(options);
        var scored = _rows.Values.Select(r => (string.Join(',', r.PromptWords), string.Join(',', r.AnswerWords))).Distinct().Count();
        if (scored < options.MinRows)
        {
            var reason = string.Create(CultureInfo.InvariantCulture,
                $"only {scored} distinct row{(scored == 1 ? "" : "s")} scored; comparing rows with and without a trigger word needs at least {options.MinRows}");
            return (scores.Select(s => s with { Sketch = null }).ToList(), new AssociationOutcome(null, reason));
        }
        var inputs = scores.Select(s => s.IsScored ? _rows.GetValueOrDefault(s.Id) : null).ToList();
        var verdict = TriggerAssociation.Run(inputs, _vocabulary, options);
        var final = scores.Select((s, i) => s.IsScored
            ? s with { Score = verdict.Scores[i], Kind = ScoreKind.TriggerConditional, ReferenceScore = double.IsNaN(s.ReferenceScore) ? s.Score : s.ReferenceScore, Sketch = null }
            : s).ToList();
        return (final, new AssociationOutcome(verdict, null));
    }
}
