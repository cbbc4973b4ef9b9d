using GradSentry.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Tests;

public class GradSentryFilterTransformerTests
{
    readonly MLContext _ml = new(seed: 1);

    static readonly float[] Scores = [0.1f, 0.8f, float.NaN, 0.3f, 0.95f, 0.5f, 0.61f];

    IDataView Data() => _ml.Data.LoadFromEnumerable(Scores.Select((s, i) => new IdScoreRow { Id = i, GradientSpectralEntropy = s }));

    [Fact]
    public void TheDroppingViewSkipsRowsAndDoesNotKnowItsCount()
    {
        var data = Data();
        var filter = _ml.Transforms.GradSentryFilter(threshold: "0.6", detector: "reference").Fit(data);

        var view = filter.Transform(data);
        var id = view.Schema["Id"];
        var positions = new List<long>();
        var ids = new List<int>();
        using (var cursor = view.GetRowCursor([id]))
        {
            var getter = cursor.GetGetter<int>(id);
            var value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                ids.Add(value);
                positions.Add(cursor.Position);
            }
        }

        Assert.Null(view.GetRowCount());
        Assert.False(view.CanShuffle);
        Assert.Same(data.Schema, view.Schema);
        Assert.Equal([0, 2, 3, 5], ids);
        Assert.Equal([0L, 1, 2, 3], positions);
        Assert.False(filter.IsRowToRowMapper);
        Assert.Throws<InvalidOperationException>(() => filter.GetRowToRowMapper(data.Schema));
        Assert.Equal(GradSentryFilterMode.Drop, filter.Mode);
    }

    [Fact]
    public void TheMarkingVariantKeepsEveryRowAndFlagsTheOnesAbove()
    {
        var data = Data();
        var marker = _ml.Transforms.GradSentryMarkSuspects(threshold: "0.6", detector: "reference").Fit(data);

        var view = marker.Transform(data);
        var suspect = Pipelines.Column<bool>(view, "IsSuspect");

        Assert.Equal([false, true, false, false, true, false, true], suspect);
        Assert.Equal(data.GetRowCount(), view.GetRowCount());
        Assert.Equal(BooleanDataViewType.Instance, view.Schema["IsSuspect"].Type);
        Assert.Equal(Scores, Pipelines.Column<float>(view, "GradientSpectralEntropy"));
        Assert.Equal(3, marker.FlaggedRowCount);
        Assert.True(marker.IsRowToRowMapper);
    }

    [Fact]
    public void TheMarkingVariantJudgesSingleRowsInAPredictionEngine()
    {
        var marker = _ml.Transforms.GradSentryMarkSuspects(threshold: "0.6", detector: "reference").Fit(Data());
        var engine = _ml.Model.CreatePredictionEngine<IdScoreRow, MarkedRow>(marker);

        Assert.True(engine.Predict(new IdScoreRow { Id = 1, GradientSpectralEntropy = 0.7f }).IsSuspect);
        Assert.False(engine.Predict(new IdScoreRow { Id = 2, GradientSpectralEntropy = 0.55f }).IsSuspect);
        Assert.False(engine.Predict(new IdScoreRow { Id = 3, GradientSpectralEntropy = float.NaN }).IsSuspect);
        Assert.Equal(3, engine.Predict(new IdScoreRow { Id = 3, GradientSpectralEntropy = 0.1f }).Id);
    }

    [Fact]
    public void AMarkingCursorOverOtherColumnsReadsNoScore()
    {
        var data = Data();
        var marker = _ml.Transforms.GradSentryMarkSuspects(threshold: "0.6", detector: "reference").Fit(data);
        var view = marker.Transform(data);

        using var cursor = view.GetRowCursor([view.Schema["Id"]]);

        Assert.False(cursor.IsColumnActive(view.Schema["IsSuspect"]));
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<bool>(view.Schema["IsSuspect"]));
    }

    [Fact]
    public void SaveAndLoadKeepTheLearnedThresholdExactly()
    {
        var data = Data();
        var fitted = _ml.Transforms.GradSentryFilter(new GradSentryFilterOptions { Threshold = "top:0.3", Mode = GradSentryFilterMode.Mark, SuspectColumnName = "Flag", Detector = "reference" }).Fit(data);
        using var stream = new MemoryStream();

        fitted.Save(stream);
        stream.Position = 0;
        var loaded = GradSentryFilterTransformer.Load(stream);

        Assert.Equal(fitted.Threshold, loaded.Threshold);
        Assert.Equal(fitted.ThresholdMethod, loaded.ThresholdMethod);
        Assert.Equal(fitted.ThresholdResult.Details.TargetCount, loaded.ThresholdResult.Details.TargetCount);
        Assert.Equal(fitted.ThresholdResult.Details.Fraction, loaded.ThresholdResult.Details.Fraction);
        Assert.Equal(fitted.RowCount, loaded.RowCount);
        Assert.Equal(fitted.ScoredRowCount, loaded.ScoredRowCount);
        Assert.Equal(fitted.FlaggedRowCount, loaded.FlaggedRowCount);
        Assert.Equal("Flag", loaded.Options.SuspectColumnName);
        Assert.Equal(Pipelines.Column<bool>(fitted.Transform(data), "Flag"), Pipelines.Column<bool>(loaded.Transform(data), "Flag"));
    }

    [Fact]
    public void LoadRefusesWhatIsNotASavedFilter()
    {
        using var garbage = new MemoryStream("not json"u8.ToArray());
        using var other = new MemoryStream("""{"format":"something-else","version":1}"""u8.ToArray());
        using var newer = new MemoryStream("""{"format":"GradSentry.MLNet.GradSentryFilterTransformer","version":99}"""u8.ToArray());

        Assert.Throws<InvalidDataException>(() => GradSentryFilterTransformer.Load(garbage));
        Assert.Contains("something-else", Assert.Throws<InvalidDataException>(() => GradSentryFilterTransformer.Load(other)).Message);
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => GradSentryFilterTransformer.Load(newer)).Message);
    }

    [Fact]
    public void MLNetsZipFormatIsRefusedWithAdvice()
    {
        var data = Data();
        var filter = _ml.Transforms.GradSentryFilter(threshold: "0.6", detector: "reference").Fit(data);
        using var stream = new MemoryStream();

        var error = Assert.ThrowsAny<Exception>(() => _ml.Model.Save(filter, data.Schema, stream));

        Assert.Contains("Save(Stream)", error.ToString());
    }

    public sealed class IdScoreRow
    {
        public int Id { get; set; }
        public float GradientSpectralEntropy { get; set; }
    }

    public sealed class MarkedRow
    {
        public int Id { get; set; }
        public float GradientSpectralEntropy { get; set; }
        public bool IsSuspect { get; set; }
    }
}
