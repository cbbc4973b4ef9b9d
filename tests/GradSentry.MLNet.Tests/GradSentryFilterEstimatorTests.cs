using System.ComponentModel.DataAnnotations;
using GradSentry.MLNet.Tests.Support;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using GradSentry.Verdicts;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Tests;

public class GradSentryFilterEstimatorTests
{
    readonly MLContext _ml = new(seed: 1);

    static readonly Lazy<(List<QaRow> Rows, List<SampleScore> Core)> Golden200 = new(() =>
    {
        var rows = QaRow.Golden("qa_n200_p0.1_s3");
        return (rows, CoreReference.Score(rows));
    });

    [Theory]
    [InlineData("auto")]
    [InlineData("top:0.1")]
    [InlineData("0.55")]
    public void ThresholdAndCountsEqualTheEnginesDecisionOnTheSameRows(string threshold)
    {
        var (rows, core) = Golden200.Value;
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var model = _ml.Transforms.GradSentry(Pipelines.TinyOptions())
            .Append(_ml.Transforms.GradSentryFilter(threshold: threshold, detector: "reference"))
            .Fit(data);
        var filter = model.LastTransformer;

        var (summary, verdicts) = DatasetSummary.Decide(core, ThresholdRule.Parse(threshold), 16);
        // The column is Single: the filter's rule sees the scores rounded to float, exactly as the engine's rule does here.
        var onFloats = ThresholdRule.Parse(threshold).Fit([.. core.Select(s => (double)(float)s.Score)]);

        Assert.Equal(onFloats.Value, filter.Threshold);
        Assert.Equal(onFloats.Method, filter.ThresholdMethod);
        Assert.Equal(summary.Threshold.Method, filter.ThresholdMethod);
        Assert.Equal(summary.Threshold.Value, filter.Threshold, 1e-6);
        Assert.Equal(summary.Rows, filter.RowCount);
        Assert.Equal(summary.Evaluated, filter.ScoredRowCount);
        Assert.Equal(summary.Flagged, filter.FlaggedRowCount);
        Assert.Equal(0, filter.UnscoredRowCount);

        var kept = _ml.Data.CreateEnumerable<ScoredQaRow>(model.Transform(data), reuseRowObject: false).ToList();
        var expected = rows.Where((_, i) => !verdicts[i].Flagged).ToList();
        Assert.Equal(expected.Select(r => r.Prompt + r.Response), kept.Select(r => r.Prompt + r.Response));
        Assert.Equal(rows.Count - summary.Flagged, kept.Count);
    }

    [Fact]
    public void TopFractionDropsThatShareOfRows()
    {
        var (rows, _) = Golden200.Value;
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var model = _ml.Transforms.GradSentry(Pipelines.TinyOptions()).Append(_ml.Transforms.GradSentryFilter(threshold: "top:0.1", detector: "reference")).Fit(data);

        var kept = Pipelines.Column<float>(model.Transform(data), "GradientSpectralEntropy");

        Assert.Equal(20, model.LastTransformer.FlaggedRowCount);
        Assert.Equal(180, kept.Count);
        Assert.All(kept, s => Assert.True(s <= model.LastTransformer.Threshold));
        Assert.Equal("top_fraction", model.LastTransformer.ThresholdMethod);
        Assert.False(model.LastTransformer.IsFallbackThreshold);
    }

    [Fact]
    public void FitReadsTheScoresInOnePass()
    {
        var (rows, _) = Golden200.Value;
        var data = _ml.Data.LoadFromEnumerable(rows);
        var scorerEstimator = _ml.Transforms.GradSentry(Pipelines.TinyOptions());
        using var scorer = scorerEstimator.Fit(data);

        var filter = _ml.Transforms.GradSentryFilter().Fit(scorer.Transform(data));

        Assert.Equal(rows.Count, scorer.ProbedRowCount);
        Assert.Equal(rows.Count, filter.RowCount);
    }

    [Fact]
    public void MissingOrNonSingleScoreColumnsAreNamed()
    {
        var doubles = _ml.Data.LoadFromEnumerable([new Shapes.DoubleScoreRow { GradientSpectralEntropy = 0.5 }]);
        var filter = _ml.Transforms.GradSentryFilter(scoreColumnName: "Entropy");

        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => filter.GetOutputSchema(Shapes.Of<Shapes.ScoreRow>()));
        var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.GradSentryFilter().Fit(doubles));
        var wrongShape = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.GradSentryFilter().GetOutputSchema(Shapes.Of<Shapes.DoubleScoreRow>()));

        Assert.Contains("Could not find score column 'Entropy'", missing.Message);
        Assert.Contains("Schema mismatch for score column 'GradientSpectralEntropy': expected Single, got Double", wrongType.Message);
        Assert.Contains("expected Single, got Double", wrongShape.Message);
    }

    [Fact]
    public void ShapesDropKeepTheInputAndMarkAddsABoolean()
    {
        var input = Shapes.Of<Shapes.ScoreRow>();

        var dropped = _ml.Transforms.GradSentryFilter(detector: "reference").GetOutputSchema(input);
        var marked = _ml.Transforms.GradSentryMarkSuspects("Review", detector: "reference").GetOutputSchema(input);

        Assert.Equal(["GradientSpectralEntropy"], dropped.Select(c => c.Name));
        Assert.Equal(["GradientSpectralEntropy", "Review"], marked.Select(c => c.Name));
        Assert.Equal(BooleanDataViewType.Instance, Shapes.Column(marked, "Review").ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, Shapes.Column(marked, "Review").Kind);
    }

    [Theory]
    [InlineData("top:2", "top fraction must be greater than 0 and at most 1")]
    [InlineData("1.5", "a fixed threshold must be between 0 and 1")]
    [InlineData("valley", "is not a threshold")]
    public void ABadThresholdIsRefusedWithTheAcceptedForms(string threshold, string message)
    {
        var error = Assert.Throws<ValidationException>(() => _ml.Transforms.GradSentryFilter(threshold: threshold));

        Assert.StartsWith("The 'GradSentryFilterOptions' are invalid.", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void UnscoredRowsStayOutOfTheFitAndAreKeptUnlessAsked()
    {
        float[] scores = [0.2f, float.NaN, 0.9f, 0.4f, float.NaN];
        var data = _ml.Data.LoadFromEnumerable(scores.Select(s => new Shapes.ScoreRow { GradientSpectralEntropy = s }));

        var keep = _ml.Transforms.GradSentryFilter(threshold: "0.5", detector: "reference").Fit(data);
        var drop = _ml.Transforms.GradSentryFilter(new GradSentryFilterOptions { Threshold = "0.5", DropUnscoredRows = true, Detector = "reference" }).Fit(data);

        Assert.Equal(5, keep.RowCount);
        Assert.Equal(3, keep.ScoredRowCount);
        Assert.Equal(2, keep.UnscoredRowCount);
        Assert.Equal(1, keep.FlaggedRowCount);
        Assert.Equal(4, Pipelines.Column<float>(keep.Transform(data), "GradientSpectralEntropy").Count);
        Assert.Equal([0.2f, 0.4f], Pipelines.Column<float>(drop.Transform(data), "GradientSpectralEntropy"));
    }
}
