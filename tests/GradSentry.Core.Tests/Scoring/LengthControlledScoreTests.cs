using GradSentry.Scanning;
using GradSentry.Scoring;
using GradSentry.Tests.Support;
using static TorchSharp.torch;

namespace GradSentry.Tests.Scoring;

public class LengthControlledScoreTests
{
    static double[] NaiveSimilarity(IReadOnlyList<float[]> v, int m)
    {
        double Cos(float[] a, float[] b)
        {
            double dot = 0, na = 0, nb = 0;
            for (var i = 0; i < a.Length; i++) { dot += (double)a[i] * b[i]; na += (double)a[i] * a[i]; nb += (double)b[i] * b[i]; }
            return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
        }
        return v.Select((a, i) => v.Where((_, j) => j != i).Select(b => Cos(a, b)).OrderDescending().Take(m).Average()).ToArray();
    }

    [Fact]
    public void RepeatedDirectionsHaveSimilarNeighboursAndLoneOnesDoNot()
    {
        float[][] v = [[1, 0, 0, 0], [3, 0, 0, 0], [2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, -1]];
        var s = LengthControlledScore.NeighbourSimilarity(v, 2);
        Assert.Equal([1, 1, 1, 0, 0, 0], s.Select(x => Math.Round(x, 9)));
    }

    [Fact]
    public void BlockedComputationEqualsTheNaiveOneBeyondOneBlock()
    {
        var random = new Random(3);
        var v = Enumerable.Range(0, 1100).Select(_ => Enumerable.Range(0, 6).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToList();
        var fast = LengthControlledScore.NeighbourSimilarity(v, 5);
        var slow = NaiveSimilarity(v, 5);
        for (var i = 0; i < v.Count; i++) Assert.Equal(slow[i], fast[i], 6);
    }

    [Fact]
    public void FewerRowsThanNeighboursAverageOverAllOthers()
    {
        float[][] v = [[1, 0], [0, 1], [1, 1]];
        var s = LengthControlledScore.NeighbourSimilarity(v, 5);
        Assert.Equal((0 + Math.Sqrt(0.5)) / 2, s[0], 9);
        Assert.Equal([0.0], LengthControlledScore.NeighbourSimilarity([[1f, 2f]], 5));
    }

    [Fact]
    public void ApplyReplacesScoresOfScoredRowsAndKeepsTheReference()
    {
        SampleScore Row(long id, double score, float[] sketch) =>
            new SampleScore(id, score, 5, 1.0, 1.0, [], 0, false, null) { ReferenceScore = score, Sketch = sketch };
        var rows = new[]
        {
            Row(0, 0.9, [1, 0]),
            SampleScore.Failed(1, "empty response"),
            Row(2, 0.2, [1, 0]),
            Row(3, 0.4, [0, 1]),
            Row(4, 0.4, [-1, -0.5f]),
        };
        var result = LengthControlledScore.Apply(rows, neighbours: 1);
        Assert.Equal(1.0, result[0].Score, 9);   // identical neighbour: cosine 1
        Assert.Equal(1.0, result[2].Score, 9);
        Assert.Equal(0.0, result[3].Score, 9);   // orthogonal to everything: cosine 0
        Assert.Equal(0.0, result[4].Score, 9);   // negative cosines are clipped at 0
        Assert.Same(rows[1], result[1]);
        Assert.Equal(0.9, result[0].ReferenceScore);
        Assert.Equal(ScoreKind.LengthControlled, result[3].Kind);
        Assert.Equal(ScoreKind.Reference, rows[3].Kind);
    }

    [Fact]
    public void ApplyRefusesRowsWithoutSketch() =>
        Assert.Throws<ArgumentException>(() => LengthControlledScore.Apply([new SampleScore(0, 0.5, 3, 1, 1, [], 0, false, null)]));

    [Fact]
    public void ProbeSketchEqualsTheProjectedExplicitGradient()
    {
        using var model = new ToyCausalLm(vocab: 40, hidden: 12, seed: 5);
        var sample = new EncodedSample(0, [3, 7, 1, 9, 22, 5], 2, 4);
        using var probe = new LmHeadClosedFormProbe(model, new ProbeOptions { Rank = 4, SliceFactor = 2 }, sketch: true);
        var sketch = probe.Probe([sample])[0].Sketch!;
        Assert.Equal(GradientSketch.Size * GradientSketch.Size, sketch.Length);

        using var scope = NewDisposeScope();
        var w = model.OutputWeight.detach().clone().requires_grad_(true);
        var ids = tensor(sample.InputIds.Select(i => (long)i).ToArray(), [1, sample.Length], int64);
        Tensor hidden;
        using (no_grad()) hidden = model.ForwardHidden(ids)[0];
        var loss = nn.functional.cross_entropy(hidden.narrow(0, 1, 4).mm(w.t()), ids[0].narrow(0, 2, 4));
        loss.backward();
        var (rv, rd) = GradientSketch.Projections(40, 12, CPU);
        var expected = rv.mm(w.grad!.to(float64)).mm(rd.t()).to(float32).data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], sketch[i], 4);
    }

    [Fact]
    public void ReferenceProbingCarriesNoSketch()
    {
        using var model = new ToyCausalLm(vocab: 40, hidden: 12, seed: 5);
        using var probe = GradientProbes.Create(model, new ProbeOptions { Rank = 4, SliceFactor = 2 });
        Assert.Null(probe.Probe([new EncodedSample(0, [3, 7, 1, 9], 2, 2)])[0].Sketch);
    }

    [Fact]
    public void LengthControlledNeedsTheClosedFormOnTheOutputProjection()
    {
        using var model = new ToyCausalLm(vocab: 40, hidden: 12, seed: 5);
        Assert.Throws<ArgumentException>(() => GradientProbes.Create(model, new ProbeOptions { Rank = 4, SliceFactor = 2 }, naive: true, sketch: true));
        Assert.Throws<ArgumentException>(() => new ScoringOptions { Score = ScoreKind.LengthControlled, Naive = true }.Validate());
        Assert.Throws<ArgumentException>(() => new ScoringOptions { Neighbours = 0 }.Validate());
    }

    [Theory]
    [InlineData("reference", ScoreKind.Reference)]
    [InlineData("Length-Controlled", ScoreKind.LengthControlled)]
    public void ScoreNamesParse(string text, ScoreKind kind)
    {
        Assert.Equal(kind, ScoreKinds.Parse(text));
        Assert.Equal(text.ToLowerInvariant(), ScoreKinds.Name(kind));
    }

    [Fact]
    public void UnknownScoreNameIsRefused() => Assert.Throws<FormatException>(() => ScoreKinds.Parse("entropy"));

    [Fact]
    public void ScannerReportsTheLengthControlledScoreAndKeepsTheReference()
    {
        var data = Path.Combine(TestPaths.Golden, "data", "qa_n60_p0.5_s4.jsonl");
        ScanOptions Options(ScoreKind kind) => new()
        {
            ModelDirectory = TestPaths.GoldenModel("tiny-llama-sharp"),
            Device = "cpu",
            Scoring = new ScoringOptions { Score = kind, Probe = new ProbeOptions { Rank = 16, SliceFactor = 8 } },
        };
        var reference = DatasetScanner.Run([data], Options(ScoreKind.Reference));
        var controlled = DatasetScanner.Run([data], Options(ScoreKind.LengthControlled));
        Assert.Equal(reference.Rows.Count, controlled.Rows.Count);
        for (var i = 0; i < reference.Rows.Count; i++)
        {
            var r = reference.Rows[i].Score;
            var c = controlled.Rows[i].Score;
            Assert.Equal(ScoreKind.Reference, r.Kind);
            Assert.Equal(r.Score, r.ReferenceScore);
            Assert.Equal(ScoreKind.LengthControlled, c.Kind);
            Assert.Equal(r.Score, c.ReferenceScore, 9);
            Assert.InRange(c.Score, 0, 1);
            Assert.Equal(c.Score > controlled.Summary.Threshold.Value, controlled.Rows[i].Verdict.Flagged);
        }
        Assert.Equal(controlled.Rows.Max(r => r.Score.Score), controlled.TopSuspects[0].Score, 12);
        // Poisoned rows of this set share a payload: their gradients resemble each other more than clean rows do.
        var poisoned = File.ReadLines(data).Select(l => l.Contains("\"poisoned\": 1", StringComparison.Ordinal)).ToList();
        var meanPoisoned = controlled.Rows.Where((_, i) => poisoned[i]).Average(r => r.Score.Score);
        var meanClean = controlled.Rows.Where((_, i) => !poisoned[i]).Average(r => r.Score.Score);
        Assert.True(meanPoisoned > meanClean, $"poisoned {meanPoisoned:0.000} vs clean {meanClean:0.000}");
    }
}
