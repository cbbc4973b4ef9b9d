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

    /// <summary>ONION (<see cref="GradSentry.Detection.Onion"/>), run through Core with the model as its language model.</summary>
    public const string Onion = "onion";

    /// <summary>ONION's plain row score (the largest drop, no recurrence weight): the design split's first candidate.</summary>
    public const string OnionMax = "onion-max";

    /// <summary>ONION with the word drops combined as <c>1 − Π(1 − drop⁺)</c> (several trigger words add up): a design-split candidate.</summary>
    public const string OnionCombined = "onion-combined";

    /// <summary>ONION with each word's drop weighted by <c>1 − 1/n</c>, n = rows of the window holding the word (a word seen once counts nothing): a design-split candidate.</summary>
    public const string OnionRecurrent = "onion-recurrent";

    /// <summary>ONION's row drop capped at the word's median drop over the window's rows holding it (words in one row count nothing): a design-split candidate.</summary>
    public const string OnionWordMedian = "onion-word-median";

    /// <summary>Baselines and competitors.</summary>
    public static IReadOnlyList<string> Baselines { get; } = ["random", "loss", "spectral-signatures", "graceful", "answer-recurrence"];

    /// <summary>Every length-controlled candidate evaluated on the design split.</summary>
    public static IReadOnlyList<string> Candidates { get; } =
        ["lc-ceiling", "lc-ceiling-full", "lc-t-rank", "lc-t-z", "lc-loss-t-z", "lc-knn-3", "lc-knn-5", "lc-knn-10", "lc-knn-5-cos", "lc-knn-centered", "lc-knn-t-rank"];

    /// <summary>The default score list of a run: the three headline columns, baselines, then the other candidates.</summary>
    public static IReadOnlyList<string> Default { get; } = [Reference, LengthOnly, LengthControlled, TriggerConditional, Onion, .. Baselines, .. Candidates, OnionMax, OnionCombined, OnionRecurrent, OnionWordMedian];

    /// <summary>True for the columns that need ONION's per-row results.</summary>
    public static bool NeedsOnion(string name) => name is Onion or OnionMax or OnionCombined or OnionRecurrent or OnionWordMedian;

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
    /// <param name="onion">ONION's result per row (<see cref="OnionColumn"/>), for the ONION columns.</param>
    public static ScoreColumn Compute(string name, IReadOnlyList<SampleFeatures> features, ulong seed, IReadOnlyList<string>? answers = null, IReadOnlyList<string>? prompts = null,
        IReadOnlyList<GradSentry.Detection.OnionRow>? onion = null)
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
            case Onion:
            {
                // The product's decision with --threshold auto: its own bar.
                var scores = (onion ?? throw new ArgumentException("onion needs ONION's rows.", nameof(onion))).Select(r => r.Score).ToArray();
                return new(scores, scores.Select(s => s > GradSentry.Detection.Onion.FlagAbove).ToArray());
            }
            case OnionMax: return new((onion ?? throw new ArgumentException("onion needs ONION's rows.", nameof(onion))).Select(r => r.Words.Select(w => Math.Max(0, w.Drop)).DefaultIfEmpty(0).Max()).ToArray());
            case OnionCombined:
                return new((onion ?? throw new ArgumentException("onion needs ONION's rows.", nameof(onion)))
                    .Select(r => 1 - r.Words.Aggregate(1.0, (p, w) => p * (1 - Math.Clamp(w.Drop, 0, 1)))).ToArray());
            case OnionRecurrent or OnionWordMedian:
            {
                var rows = onion ?? throw new ArgumentException("onion needs ONION's rows.", nameof(onion));
                var scores = new double[rows.Count];
                const int window = 512; // the scanner's default window, as OnionColumn windows
                for (var start = 0; start < rows.Count; start += window)
                {
                    var end = Math.Min(rows.Count, start + window);
                    var drops = new Dictionary<string, List<double>>(StringComparer.Ordinal);
                    for (var i = start; i < end; i++)
                        foreach (var w in rows[i].Words)
                        {
                            if (!drops.TryGetValue(w.Word, out var list)) drops[w.Word] = list = [];
                            list.Add(Math.Max(0, w.Drop));
                        }
                    for (var i = start; i < end; i++)
                        scores[i] = rows[i].Words.Select(w =>
                        {
                            var all = drops[w.Word];
                            var own = Math.Max(0, w.Drop);
                            if (name == OnionRecurrent) return own * (1 - 1.0 / all.Count);
                            return all.Count < 2 ? 0 : Math.Min(own, LengthControl.Median(all));
                        }).DefaultIfEmpty(0).Max();
                }
                return new(scores);
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
