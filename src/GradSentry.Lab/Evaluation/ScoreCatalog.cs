using GradSentry.Lab.Baselines;

namespace GradSentry.Lab.Evaluation;

/// <summary>What a score produced for one dataset: per-row scores, and flags when the method decides by itself.</summary>
/// <param name="Scores">Per-row scores, higher = more suspect.</param>
/// <param name="Flags">The method's own decision (GraCeFul's clusters), or null to threshold <paramref name="Scores"/>.</param>
public sealed record ScoreColumn(double[] Scores, bool[]? Flags = null);

/// <summary>The scores the lab compares, by name.</summary>
public static class ScoreCatalog
{
    /// <summary>The reference GradSentry score.</summary>
    public const string Reference = "reference";

    /// <summary>Answer length only.</summary>
    public const string LengthOnly = "length-only";

    /// <summary>Our length-controlled score (the candidate chosen on the design split).</summary>
    public const string LengthControlled = "length-controlled";

    /// <summary>The product's default verdict (<see cref="GradSentry.Detection.TriggerAssociation"/>), run through Core.</summary>
    public const string TriggerConditional = "trigger-conditional";

    /// <summary>Baselines and competitors.</summary>
    public static IReadOnlyList<string> Baselines { get; } = ["random", "loss", "spectral-signatures", "graceful", "answer-recurrence"];

    /// <summary>Every length-controlled candidate evaluated on the design split.</summary>
    public static IReadOnlyList<string> Candidates { get; } =
        ["lc-ceiling", "lc-ceiling-full", "lc-t-rank", "lc-t-z", "lc-loss-t-z", "lc-knn-3", "lc-knn-5", "lc-knn-10", "lc-knn-5-cos", "lc-knn-centered", "lc-knn-t-rank"];

    /// <summary>The default score list of a run: the three headline columns, baselines, then the other candidates.</summary>
    public static IReadOnlyList<string> Default { get; } = [Reference, LengthOnly, LengthControlled, TriggerConditional, .. Baselines, .. Candidates];

    /// <summary>Which candidate <see cref="LengthControlled"/> stands for.</summary>
    public const string ChosenCandidate = "lc-knn-5-cos";

    /// <summary>Neighbours averaged by the chosen kNN candidate (and by the centered and length-rank variants).</summary>
    public const int Neighbours = 5;

    /// <summary>Computes the score <paramref name="name"/> over a dataset's features.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <param name="name">The score.</param>
    /// <param name="features">Each row's features.</param>
    /// <param name="seed">Seed of the random baseline.</param>
    /// <param name="answers">Each row's answer text (only the text baseline <c>answer-recurrence</c> reads it).</param>
    /// <param name="prompts">The rendered prompts (the trigger-conditional verdict reads their words).</param>
    public static ScoreColumn Compute(string name, IReadOnlyList<SampleFeatures> features, ulong seed, IReadOnlyList<string>? answers = null, IReadOnlyList<string>? prompts = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(features);
        var t = features.Select(f => f.AnswerTokens).ToArray();
        var reference = features.Select(f => f.ReferenceScore).ToArray();
        switch (name)
        {
            case Reference: return new(reference);
            case LengthOnly: return new(GradSentry.Lab.Baselines.Baselines.LengthOnly(t));
            case LengthControlled: return Compute(ChosenCandidate, features, seed, answers);
            case TriggerConditional:
            {
                if (prompts is null || answers is null) throw new ArgumentException("trigger-conditional needs the prompts and the answers.", nameof(prompts));
                var vocabulary = new GradSentry.Detection.WordVocabulary();
                var rows = features.Select((f, i) => (GradSentry.Detection.AssociationRow?)new GradSentry.Detection.AssociationRow(
                    vocabulary.DistinctIds(prompts[i]), vocabulary.DistinctIds(answers[i]), f.Sketch)).ToList();
                var verdict = GradSentry.Detection.TriggerAssociation.Run(rows, vocabulary);
                return new(verdict.Scores, verdict.Flags);
            }
            case "random": return new(GradSentry.Lab.Baselines.Baselines.Random(features.Count, seed));
            case "loss": return new(GradSentry.Lab.Baselines.Baselines.MinMax(features.Select(f => f.Loss).ToArray()));
            case "spectral-signatures": return new(GradSentry.Lab.Baselines.Baselines.MinMax(GradSentry.Lab.Baselines.Baselines.SpectralSignatures(features.Select(f => f.MeanHidden).ToList())));
            case "graceful":
            {
                var flags = GraCeFul.Flag(features.Select(f => f.Dct).ToList());
                return new(flags.Select(b => b ? 1.0 : 0.0).ToArray(), flags);
            }
            case "lc-ceiling": return new(features.Select(f => LengthControl.CeilingRatio(f.ReferenceScore, f.AnswerTokens)).ToArray());
            case "lc-ceiling-full":
                return new(features.Select(f => LengthControl.CeilingRatio(GradSentry.Scoring.SpectralEntropy.Score(f.FullSingularValues), f.AnswerTokens)).ToArray());
            case "lc-t-rank": return new(LengthControl.GroupPercentiles(reference, LengthControl.LengthGroups(t)));
            case "lc-t-z": return new(Squash(LengthControl.GroupRobustZ(reference, LengthControl.LengthGroups(t))));
            case "lc-loss-t-z":
            {
                var groups = LengthControl.LengthGroups(t);
                var ze = LengthControl.GroupRobustZ(reference, groups);
                var zl = LengthControl.GroupRobustZ(features.Select(f => f.Loss).ToArray(), groups);
                return new(Squash(ze.Zip(zl, (a, b) => (a + Math.Abs(b)) / Math.Sqrt(2)).ToArray()));
            }
            case "answer-recurrence":
                return new(GradSentry.Lab.Baselines.Baselines.MinMax(GradSentry.Lab.Baselines.Baselines.AnswerRecurrence(answers ?? throw new ArgumentException("answer-recurrence needs the answers.", nameof(answers)))));
            case "lc-knn-3": return new(Unit(LengthControl.NeighbourSimilarity(features.Select(f => f.Sketch).ToList(), 3)));
            case "lc-knn-5": return new(Unit(LengthControl.NeighbourSimilarity(features.Select(f => f.Sketch).ToList(), 5)));
            case "lc-knn-5-cos": return new(LengthControl.NeighbourSimilarity(features.Select(f => f.Sketch).ToList(), 5).Select(c => Math.Clamp(c, 0, 1)).ToArray());
            case "lc-knn-10": return new(Unit(LengthControl.NeighbourSimilarity(features.Select(f => f.Sketch).ToList(), 10)));
            case "lc-knn-centered": return new(Unit(LengthControl.NeighbourSimilarity(features.Select(f => f.Sketch).ToList(), Neighbours, center: true)));
            case "lc-knn-t-rank":
                return new(LengthControl.GroupPercentiles(LengthControl.NeighbourSimilarity(features.Select(f => f.Sketch).ToList(), Neighbours), LengthControl.LengthGroups(t)));
            default: throw new ArgumentException($"unknown score '{name}'; known: {string.Join(", ", Default)}.", nameof(name));
        }
    }

    /// <summary>A z-score mapped to (0, 1) by the logistic <c>1 / (1 + e^(−z))</c>.</summary>
    static double[] Squash(double[] z) => z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();

    /// <summary>Cosine similarities mapped from [−1, 1] to [0, 1].</summary>
    static double[] Unit(double[] cosines) => cosines.Select(c => (1 + c) / 2).ToArray();
}
