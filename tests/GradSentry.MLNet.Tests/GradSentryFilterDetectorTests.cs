using System.Text.Json.Nodes;
using GradSentry.Detection;
using GradSentry.MLNet.Tests.Support;
using GradSentry.Scoring;
using Microsoft.ML;

namespace GradSentry.MLNet.Tests;

/// <summary>
/// The filter's default detector, trigger-conditional, in ML.NET: <c>Fit</c> runs the engine's dataset step over every
/// row and the fitted filter recognises the flagged rows by their text.
/// </summary>
public class GradSentryFilterDetectorTests
{
    readonly MLContext _ml = new(seed: 1);

    // Each fact asked several ways, and one backdoor (four rare trigger words → "click <malicious_url>") on 20 rows.
    static readonly Lazy<List<QaRow>> Golden200 = new(() => QaRow.Golden("qa_n200_p0.1_s3"));

    static readonly Lazy<bool[]> EngineFlags = new(() =>
    {
        var rows = Golden200.Value;
        var scores = CoreReference.Score(rows, new ScoringOptions { Score = ScoreKind.TriggerConditional });
        var inputs = new AssociationInputs();
        for (var i = 0; i < rows.Count; i++) inputs.Add(scores[i], rows[i].Prompt, rows[i].Response);
        var (final, _) = inputs.Decide(scores, new TriggerAssociationOptions());
        return [.. final.Select(s => s.Score > TriggerAssociation.FlagAbove)];
    });

    [Fact]
    public void TheDefaultPipelineDropsTheRowsTheEngineFlagsWhichAreThePoisonedOnes()
    {
        var rows = Golden200.Value;
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var model = _ml.Transforms.GradSentry(Pipelines.TinyOptions()).Append(_ml.Transforms.GradSentryFilter()).Fit(data);
        var filter = model.LastTransformer;

        var kept = _ml.Data.CreateEnumerable<ScoredQaRow>(model.Transform(data), reuseRowObject: false).ToList();

        var engine = EngineFlags.Value;
        Assert.Equal(rows.Where((_, i) => !engine[i]).Select(r => r.Prompt + r.Response), kept.Select(r => r.Prompt + r.Response));
        Assert.Equal(rows.Select(r => r.Poisoned), engine);
        Assert.Equal(20, filter.FlaggedRowCount);
        Assert.Equal(200, filter.ScoredRowCount);
        Assert.Equal("trigger-conditional", filter.Detector);
        Assert.Equal("trigger_association", filter.ThresholdMethod);
        Assert.Equal(0.5, filter.Threshold);
        var group = Assert.Single(filter.BackdoorGroups);
        Assert.Contains(group.Triggers, w => w.Word == "bb");
        Assert.NotEmpty(filter.SetAsideGroups);
        Assert.Contains("1 backdoor group", filter.DetectorOutcome, StringComparison.Ordinal);
    }

    [Fact]
    public void TransformRecognisesFlaggedRowsFromTheTextWithoutScoringAgain()
    {
        var rows = Golden200.Value;
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data);
        var scored = scorer.Transform(data);
        var filter = _ml.Transforms.GradSentryFilter().Fit(scored);
        Assert.Equal(rows.Count, scorer.ProbedRowCount);

        var kept = Pipelines.Column<ReadOnlyMemory<char>>(filter.Transform(scored), "Prompt");

        Assert.Equal(180, kept.Count);
        Assert.Equal(rows.Count, scorer.ProbedRowCount); // the text columns decide: no second forward pass
        Assert.True(filter.IsSuspect(rows.First(r => r.Poisoned).Prompt, rows.First(r => r.Poisoned).Response));
        Assert.False(filter.IsSuspect(rows[0].Prompt, rows[0].Response));
        Assert.False(filter.IsSuspect(0.99f)); // a score alone says nothing to this detector
    }

    [Fact]
    public void MarkingAndSaveLoadKeepTheFlaggedRows()
    {
        var rows = Golden200.Value;
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data);
        var scored = scorer.Transform(data);
        var marker = _ml.Transforms.GradSentryMarkSuspects().Fit(scored);
        using var stream = new MemoryStream();
        marker.Save(stream);
        stream.Position = 0;
        var loaded = GradSentryFilterTransformer.Load(stream);

        var marks = Pipelines.Column<bool>(marker.Transform(data), "IsSuspect");
        var loadedMarks = Pipelines.Column<bool>(loaded.Transform(data), "IsSuspect");

        Assert.Equal(rows.Select(r => r.Poisoned), marks);
        Assert.Equal(marks, loadedMarks);
        Assert.Equal("trigger-conditional", loaded.Detector);
        Assert.Equal(marker.DetectorOutcome, loaded.DetectorOutcome);
        Assert.Equal(marker.FlaggedRowCount, loaded.FlaggedRowCount);
    }

    [Fact]
    public void AVersion1SaveStillLoadsAsTheReferenceDetector()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { 0.1f, 0.9f, 0.3f }.Select(s => new Shapes.ScoreRow { GradientSpectralEntropy = s }));
        var reference = _ml.Transforms.GradSentryFilter(threshold: "0.5", detector: "reference").Fit(data);
        using var saved = new MemoryStream();
        reference.Save(saved);
        // What version 1 wrote: no detector, no text columns, no flagged rows.
        var json = JsonNode.Parse(saved.ToArray())!.AsObject();
        json["version"] = 1;
        json.Remove("flaggedRows");
        json.Remove("detectorOutcome");
        foreach (var name in new[] { "detector", "promptColumnName", "responseColumnName", "sketchColumnName" }) json["options"]!.AsObject().Remove(name);
        using var v1 = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));

        var loaded = GradSentryFilterTransformer.Load(v1);

        Assert.Equal("reference", loaded.Detector);
        Assert.Equal([0.1f, 0.3f], Pipelines.Column<float>(loaded.Transform(data), "GradientSpectralEntropy"));
    }

    [Fact]
    public void ASavedDatasetFilterWithoutItsRowsIsRefused()
    {
        var rows = Golden200.Value.Take(40).ToList();
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data);
        var filter = _ml.Transforms.GradSentryFilter().Fit(scorer.Transform(data));
        using var saved = new MemoryStream();
        filter.Save(saved);
        var json = JsonNode.Parse(saved.ToArray())!.AsObject();
        json["flaggedRows"] = new JsonArray("not-a-hash");
        using var broken = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));

        var error = Assert.Throws<InvalidDataException>(() => GradSentryFilterTransformer.Load(broken));

        Assert.Contains("flagged rows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScoresWithoutASketchNameTheMissingColumnAndTheReferenceDetector()
    {
        var data = _ml.Data.LoadFromEnumerable(new[] { 0.1f, 0.9f }.Select(s => new Shapes.ScoreRow { GradientSpectralEntropy = s }));

        var fit = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.GradSentryFilter().Fit(data));
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.GradSentryFilter().GetOutputSchema(Shapes.Of<Shapes.ScoreRow>()));

        Assert.Contains("Could not find the gradient sketch column 'GradientSketch'", fit.Message, StringComparison.Ordinal);
        Assert.Contains("Detector = \"reference\"", fit.Message, StringComparison.Ordinal);
        Assert.Contains("'GradientSketch'", shape.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TooFewRowsFallBackToTheReferenceRuleAndSaySo()
    {
        var rows = Golden200.Value.Take(12).ToList();
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var model = _ml.Transforms.GradSentry(Pipelines.TinyOptions()).Append(_ml.Transforms.GradSentryFilter()).Fit(data);

        Assert.StartsWith("fallback_trigger_association_small_n, then ", model.LastTransformer.ThresholdMethod, StringComparison.Ordinal);
        Assert.Contains("fell back to the reference score and rule", model.LastTransformer.DetectorOutcome, StringComparison.Ordinal);
        Assert.Empty(model.LastTransformer.BackdoorGroups);
    }

    [Fact]
    public void AnUnknownDetectorIsRefusedWithTheNames()
    {
        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => _ml.Transforms.GradSentryFilter(detector: "flare"));

        Assert.Contains("'trigger-conditional', 'reference', 'length-controlled', 'onion'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnionIsRefusedUntilTheTransformComputesIt()
    {
        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() => _ml.Transforms.GradSentryFilter(detector: "onion"));

        Assert.Contains("'onion' is not available in ML.NET yet", error.Message, StringComparison.Ordinal);
        Assert.Contains("--score onion", error.Message, StringComparison.Ordinal);
    }
}
