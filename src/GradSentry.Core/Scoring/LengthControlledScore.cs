using TorchSharp;
using static TorchSharp.torch;

namespace GradSentry.Scoring;

/// <summary>
/// The length-controlled GradSentry score. A backdoor needs many rows that teach the same target (the payload or the
/// attacker's answer); their per-sample lm_head gradients then point the same way, however long the answers are. The
/// score of a row is <c>max(0, c̄)</c> in [0, 1], where c̄ is the mean cosine similarity of its gradient sketch
/// (<see cref="GradientSketch"/>) to its <c>m</c> most similar other rows of the same dataset (m =
/// <see cref="ScoringOptions.Neighbours"/>, default 5). It is not a function of the answer length T and does not use the
/// rank ceiling; the reference score is kept in <see cref="SampleScore.ReferenceScore"/>. On this scale the reference
/// threshold rule's 0.7 fallback means "gradients nearly parallel to five others", a conservative default.
/// </summary>
/// <remarks>
/// Exact nearest neighbours cost O(n² · 1024) multiply-adds (about a minute for 20 000 rows on one CPU core);
/// memory stays O(n · 1024) because similarities are computed in blocks. A dataset needs more poisoned rows than m
/// for them to stand out; rows without a sketch (failed rows) keep their failure.
/// </remarks>
public static class LengthControlledScore
{
    /// <summary>The default number of neighbours.</summary>
    public const int DefaultNeighbours = 5;

    /// <summary>Rows per block of the similarity computation.</summary>
    const int BlockRows = 1024;

    /// <summary>
    /// Replaces <see cref="SampleScore.Score"/> of every scored row by its length-controlled score (kind
    /// <see cref="ScoreKind.LengthControlled"/>); failed rows are returned unchanged. With a single scored row, the score is
    /// 0 (no neighbour: similarity 0).
    /// </summary>
    /// <exception cref="ArgumentException">A scored row has no sketch (it was not scored with <see cref="ScoreKind.LengthControlled"/>).</exception>
    public static IReadOnlyList<SampleScore> Apply(IReadOnlyList<SampleScore> scores, int neighbours = DefaultNeighbours)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        var scored = scores.Where(s => s.IsScored).ToList();
        foreach (var s in scored)
            if (s.Sketch is null)
                throw new ArgumentException($"row {s.Id} has no gradient sketch; score it with ScoringOptions.Score = LengthControlled.", nameof(scores));
        var similarity = NeighbourSimilarity(scored.Select(s => s.Sketch!).ToList(), neighbours);
        var result = new List<SampleScore>(scores.Count);
        var next = 0;
        foreach (var s in scores)
        {
            if (!s.IsScored)
            {
                result.Add(s);
                continue;
            }
            var reference = double.IsNaN(s.ReferenceScore) ? s.Score : s.ReferenceScore;
            result.Add(s with { Score = Math.Clamp(similarity[next++], 0, 1), Kind = ScoreKind.LengthControlled, ReferenceScore = reference });
        }
        return result;
    }

    /// <summary>
    /// Mean cosine similarity of each vector to its <paramref name="neighbours"/> most similar other vectors (all of them
    /// when there are fewer); 0 for a lone vector. A zero vector has similarity 0 to everything.
    /// </summary>
    public static double[] NeighbourSimilarity(IReadOnlyList<float[]> vectors, int neighbours)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        var n = vectors.Count;
        if (n < 2) return new double[n];
        var p = vectors[0].Length;
        if (vectors.Any(v => v.Length != p)) throw new ArgumentException("sketches differ in length.", nameof(vectors));
        var m = Math.Min(neighbours, n - 1);
        var result = new double[n];
        using var scope = NewDisposeScope();
        var flat = new float[(long)n * p];
        for (var i = 0; i < n; i++) vectors[i].CopyTo(flat, (long)i * p);
        var x = tensor(flat, [n, p], float32).to(float64);
        var unit = x / x.norm(1, keepdim: true).clamp_min(1e-30);
        for (var start = 0; start < n; start += BlockRows)
        {
            using var block = NewDisposeScope();
            var rows = Math.Min(BlockRows, n - start);
            var similarity = unit.narrow(0, start, rows).mm(unit.t());                     // [rows, n]
            var self = arange(start, start + rows, int64).unsqueeze(1);
            similarity = similarity.scatter(1, self, full([rows, 1], -3.0, float64));       // a row is not its own neighbour
            var (top, _) = similarity.topk(m, dim: 1);
            top.mean([1]).data<double>().ToArray().CopyTo(result, start);
        }
        return result;
    }
}
