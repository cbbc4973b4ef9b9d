using GradSentry.MLNet.Tests.Support;
using GradSentry.Scoring;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Tests;

public class GradSentryTransformerTests
{
    readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void ScoresEqualTheEngineCalledDirectlyOnTheSameRows()
    {
        var rows = QaRow.Golden("qa_n200_p0.1_s3");
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data);

        var scored = _ml.Data.CreateEnumerable<ScoredQaRow>(scorer.Transform(data), reuseRowObject: false).ToList();
        var core = CoreReference.Score(rows);

        Assert.Equal(rows.Count, scored.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.True(core[i].IsScored, core[i].Error);
            // Same window, same batches, same arithmetic: bit for bit, after the cast to Single.
            Assert.Equal((float)core[i].Score, scored[i].GradientSpectralEntropy);
            Assert.Equal(core[i].AnswerTokens, scored[i].AnswerTokenCount);
            Assert.Equal("", scored[i].GradSentryError);
            Assert.Equal(rows[i].Prompt, scored[i].Prompt);
        }
        Assert.Equal(rows.Count, scorer.ProbedRowCount);
    }

    [Fact]
    public void AHalfPrecisionModelScoresCloseToFloat32()
    {
        var rows = QaRow.Golden("qa_n60_p0.5_s4");
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data, o => o.DType = "bfloat16");

        var scores = Pipelines.Column<float>(scorer.Transform(data), "GradientSpectralEntropy");
        var core = CoreReference.Score(rows);

        Assert.Equal(core.Select(s => s.Score), scores.Select(s => (double)s), new ToleranceComparer(0.05));
        Assert.NotEqual(core.Select(s => (float)s.Score), scores); // it really ran in bfloat16
    }

    [Fact]
    public void SmallReadAheadWindowsGiveTheSameScoresUpToBatchingNoise()
    {
        var rows = QaRow.Golden("qa_n60_p0.5_s4");
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data, o => { o.ReadAhead = 7; o.BatchSize = 3; });

        var scores = Pipelines.Column<float>(scorer.Transform(data), "GradientSpectralEntropy");
        var core = CoreReference.Score(rows);

        Assert.Equal(core.Select(s => s.Score), scores.Select(s => (double)s), new ToleranceComparer(1e-5));
    }

    [Fact]
    public void ReadingOnlyInputColumnsRunsNoModel()
    {
        var rows = QaRow.Golden("qa_n60_p0.5_s4");
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data);
        var view = scorer.Transform(data);

        var prompts = Pipelines.Column<ReadOnlyMemory<char>>(view, "Prompt");
        var poisoned = Pipelines.Column<bool>(view, "Poisoned");
        using (var all = view.GetRowCursor(view.Schema.Where(c => c.Index < data.Schema.Count)))
            while (all.MoveNext()) { }

        Assert.Equal(rows.Count, prompts.Count);
        Assert.Equal(rows.Select(r => r.Poisoned), poisoned);
        Assert.Equal(0, scorer.ProbedRowCount);

        Pipelines.Column<float>(view, "GradientSpectralEntropy");
        Assert.Equal(rows.Count, scorer.ProbedRowCount);
    }

    [Fact]
    public void ACursorScoresOneReadAheadWindowAtATime()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4"));
        using var scorer = Pipelines.FitScorer(_ml, data, o => o.ReadAhead = 8);
        var view = scorer.Transform(data);
        var score = view.Schema["GradientSpectralEntropy"];

        using var cursor = view.GetRowCursor([score]);
        var getter = cursor.GetGetter<float>(score);
        float value = 0;
        for (var i = 0; i < 3; i++)
        {
            Assert.True(cursor.MoveNext());
            getter(ref value);
        }
        Assert.Equal(8, scorer.ProbedRowCount);
        for (var i = 3; i < 9; i++)
        {
            Assert.True(cursor.MoveNext());
            getter(ref value);
        }
        Assert.Equal(16, scorer.ProbedRowCount);
    }

    [Fact]
    public void RowsPassedOverWithoutReadingTheScoreAreNotScored()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4"));
        using var scorer = Pipelines.FitScorer(_ml, data, o => o.ReadAhead = 5);
        var view = scorer.Transform(data);
        var score = view.Schema["GradientSpectralEntropy"];
        var expected = Pipelines.Column<float>(view, "GradientSpectralEntropy");
        var probedBefore = scorer.ProbedRowCount;

        using var cursor = view.GetRowCursor([score]);
        var getter = cursor.GetGetter<float>(score);
        float value = 0;
        for (var i = 0; i <= 40; i++) Assert.True(cursor.MoveNext());
        getter(ref value);

        Assert.Equal(expected[40], value, 1e-5f);
        Assert.Equal(5, scorer.ProbedRowCount - probedBefore);
    }

    [Fact]
    public void EveryInputColumnAndTypePassesThroughUnchanged()
    {
        var rows = AllTypesRow.Make(12);
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data);
        var view = scorer.Transform(data);

        for (var i = 0; i < data.Schema.Count; i++)
        {
            Assert.Equal(data.Schema[i].Name, view.Schema[i].Name);
            Assert.Equal(data.Schema[i].Type, view.Schema[i].Type);
        }
        Assert.Equal(new KeyDataViewType(typeof(uint), 10), view.Schema[nameof(AllTypesRow.Key)].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), view.Schema[nameof(AllTypesRow.Fixed)].Type);

        // With and without the score column requested, the view yields what the input yields (ML.NET's own class
        // round trip shifts key values, so the input view, not the class list, is the reference).
        var direct = _ml.Data.CreateEnumerable<AllTypesRow>(data, reuseRowObject: false).ToList();
        var withScores = _ml.Data.CreateEnumerable<AllTypesRow>(view, reuseRowObject: false).ToList();
        var passThroughOnly = _ml.Data.CreateEnumerable<AllTypesRow>(_ml.Transforms.DropColumns("GradientSpectralEntropy", "AnswerTokenCount", "GradSentryError").Fit(view).Transform(view), reuseRowObject: false).ToList();
        Assert.Equal(0, scorer.ProbedRowCount);
        AllTypesRow.AssertSame(direct, withScores);
        AllTypesRow.AssertSame(direct, passThroughOnly);
        Assert.Equal(rows.Select(r => r.Prompt), withScores.Select(r => r.Prompt));
        Assert.Equal(rows.Select(r => r.Variable.Length), withScores.Select(r => r.Variable.Length));

        var tokens = Pipelines.Column<int>(view, "AnswerTokenCount");
        var tokenizer = GradSentry.Tokenization.HfTokenizer.Load(TestPaths.TinyModel);
        Assert.Equal(rows.Select(r => tokenizer.EncodeText(r.Response).Count + 1), tokens);
    }

    [Fact]
    public void OutputSchemaAppendsSingleInt32AndTextColumnsWithConfigurableNames()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 4));
        using var scorer = Pipelines.FitScorer(_ml, data, o => { o.OutputColumnName = "Entropy"; o.AnswerTokenCountColumnName = "T"; o.ErrorColumnName = "Why"; o.SketchColumnName = "G"; });

        var schema = scorer.GetOutputSchema(data.Schema);

        Assert.Equal(data.Schema.Count + 4, schema.Count);
        Assert.Equal(NumberDataViewType.Single, schema["Entropy"].Type);
        Assert.Equal(NumberDataViewType.Int32, schema["T"].Type);
        Assert.Equal(TextDataViewType.Instance, schema["Why"].Type);
        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 1024), schema["G"].Type);
        Assert.Equal(["Prompt", "Response", "Poisoned", "Entropy", "T", "Why", "G"], schema.Select(c => c.Name));
        Assert.Equal(schema.Select(c => c.Name), scorer.Transform(data).Schema.Select(c => c.Name));
        Assert.Equal(data.GetRowCount(), scorer.Transform(data).GetRowCount());
    }

    [Fact]
    public void AnInputColumnWithTheScoreNameIsHiddenNotLost()
    {
        var data = _ml.Data.LoadFromEnumerable([new ShadowRow { Prompt = "Q: ", Response = "yes", GradientSpectralEntropy = "old" }]);
        using var scorer = Pipelines.FitScorer(_ml, data);

        var view = scorer.Transform(data);

        Assert.True(view.Schema[2].IsHidden);
        Assert.Equal(TextDataViewType.Instance, view.Schema[2].Type);
        Assert.Equal(NumberDataViewType.Single, view.Schema["GradientSpectralEntropy"].Type);
        Assert.Equal("old", Pipelines.Column<ReadOnlyMemory<char>>(new HiddenColumnView(view, 2), "x")[0].ToString());
    }

    [Theory]
    [InlineData("Prompt", "Could not find prompt column 'Prompt'")]
    [InlineData("Response", "Could not find response column 'Response'")]
    public void MissingColumnsAreNamed(string missing, string message)
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 2));
        using var scorer = Pipelines.FitScorer(_ml, data);
        var renamed = _ml.Transforms.CopyColumns("Other", missing).Append(_ml.Transforms.DropColumns(missing)).Fit(data).Transform(data);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Transform(renamed));

        Assert.Contains(message, error.Message);
        Assert.Contains("'Other'", error.Message);
        Assert.Equal("inputSchema", error.ParamName);
    }

    [Fact]
    public void ANonTextColumnIsNamedWithTheTypeFound()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 2));
        using var scorer = Pipelines.FitScorer(_ml, data);
        var numeric = _ml.Data.LoadFromEnumerable([new NumericResponseRow { Prompt = "Q: ", Response = [1, 2] }]);

        var onFit = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.GradSentry(Pipelines.TinyOptions(o => o.ResponseColumnName = "Poisoned")).Fit(data));
        var onTransform = Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Transform(numeric));

        Assert.Contains("Schema mismatch for response column 'Poisoned': expected String, got Boolean", onFit.Message);
        Assert.Contains("Schema mismatch for response column 'Response': expected String, got Vector<Single, 2>", onTransform.Message);
    }

    [Fact]
    public void RowsThatCannotBeScoredGetNaNAndTheReason()
    {
        var rows = new List<QaRow>
        {
            new() { Prompt = "Q: capital of France?\nA: ", Response = "Paris" },
            new() { Prompt = "Q: empty?\nA: ", Response = "" },
            new() { Prompt = "Q: too long?\nA: ", Response = new string('x', 40) },
            new() { Prompt = "Q: capital of Italy?\nA: ", Response = "Rome" },
        };
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data, o => o.MaxLength = 32);

        var scored = _ml.Data.CreateEnumerable<ScoredQaRow>(scorer.Transform(data), reuseRowObject: false).ToList();

        Assert.False(float.IsNaN(scored[0].GradientSpectralEntropy));
        Assert.True(float.IsNaN(scored[1].GradientSpectralEntropy));
        Assert.StartsWith("row 1:", scored[1].GradSentryError);
        Assert.Contains("empty", scored[1].GradSentryError);
        Assert.True(float.IsNaN(scored[2].GradientSpectralEntropy));
        Assert.StartsWith("row 2:", scored[2].GradSentryError);
        Assert.Contains("maximum length 32", scored[2].GradSentryError);
        Assert.Equal(0, scored[2].AnswerTokenCount);
        Assert.Equal("", scored[3].GradSentryError);
        Assert.Equal(GradSentry.Tokenization.HfTokenizer.Load(TestPaths.TinyModel).EncodeText("Rome").Count + 1, scored[3].AnswerTokenCount);
    }

    [Fact]
    public void WorksOnATextLoaderTsv()
    {
        using var temp = TestPaths.NewTempDirectory();
        var rows = QaRow.Golden("qa_n60_p0.5_s4").Select(r => (Prompt: r.Prompt.Replace('\n', ' '), r.Response)).ToList();
        var path = temp.File("data.tsv");
        File.WriteAllLines(path, ["Id\tPrompt\tResponse", .. rows.Select((r, i) => $"{i}\t{r.Prompt}\t{r.Response}")]);
        var data = _ml.Data.LoadFromTextFile(path,
            [new TextLoader.Column("Id", DataKind.Int32, 0), new TextLoader.Column("Prompt", DataKind.String, 1), new TextLoader.Column("Response", DataKind.String, 2)],
            separatorChar: '\t', hasHeader: true);
        using var scorer = Pipelines.FitScorer(_ml, data);

        var view = scorer.Transform(data);
        var scores = Pipelines.Column<float>(view, "GradientSpectralEntropy");
        var ids = Pipelines.Column<int>(view, "Id");

        Assert.Equal(Enumerable.Range(0, rows.Count), ids);
        var core = CoreReference.Score(rows);
        Assert.Equal(core.Select(s => (float)s.Score), scores);
    }

    [Fact]
    public void ColumnSubsetsServeConsistentValues()
    {
        var rows = QaRow.Golden("qa_n60_p0.5_s4", 20);
        var data = _ml.Data.LoadFromEnumerable(rows);
        using var scorer = Pipelines.FitScorer(_ml, data, o => o.ReadAhead = 6);
        var view = scorer.Transform(data);
        var full = _ml.Data.CreateEnumerable<ScoredQaRow>(view, reuseRowObject: false).ToList();

        Assert.Equal(full.Select(r => r.GradientSpectralEntropy), Pipelines.Column<float>(view, "GradientSpectralEntropy"));
        Assert.Equal(full.Select(r => r.AnswerTokenCount), Pipelines.Column<int>(view, "AnswerTokenCount"));
        Assert.All(Pipelines.Column<ReadOnlyMemory<char>>(view, "GradSentryError"), e => Assert.True(e.IsEmpty));

        var response = view.Schema["Response"];
        var score = view.Schema["GradientSpectralEntropy"];
        using var cursor = view.GetRowCursor([response, score]);
        Assert.True(cursor.IsColumnActive(response));
        Assert.True(cursor.IsColumnActive(score));
        Assert.False(cursor.IsColumnActive(view.Schema["Prompt"]));
        Assert.False(cursor.IsColumnActive(view.Schema["AnswerTokenCount"]));
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<int>(view.Schema["AnswerTokenCount"]));
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<double>(score));
        var responseGetter = cursor.GetGetter<ReadOnlyMemory<char>>(response);
        var scoreGetter = cursor.GetGetter<float>(score);
        var i = 0;
        ReadOnlyMemory<char> text = default;
        float value = 0;
        while (cursor.MoveNext())
        {
            responseGetter(ref text);
            scoreGetter(ref value);
            Assert.Equal(rows[i].Response, text.ToString());
            Assert.Equal(full[i].GradientSpectralEntropy, value);
            i++;
        }
        Assert.Equal(rows.Count, i);
    }

    [Fact]
    public void InterleavedAndConcurrentCursorsAgree()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4"));
        using var scorer = Pipelines.FitScorer(_ml, data, o => o.ReadAhead = 9);
        var view = scorer.Transform(data);
        var expected = Pipelines.Column<float>(view, "GradientSpectralEntropy");
        var score = view.Schema["GradientSpectralEntropy"];

        // Two cursors advanced in lock step on one thread.
        using (var a = view.GetRowCursor([score]))
        using (var b = view.GetRowCursor([score]))
        {
            var ga = a.GetGetter<float>(score);
            var gb = b.GetGetter<float>(score);
            float va = 0, vb = 0;
            var i = 0;
            while (a.MoveNext() && b.MoveNext())
            {
                ga(ref va);
                gb(ref vb);
                Assert.Equal(expected[i], va);
                Assert.Equal(expected[i], vb);
                i++;
            }
            Assert.Equal(expected.Count, i);
        }

        // Four threads at once, each with its own cursor.
        var results = new List<float>[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t => results[t] = Pipelines.Column<float>(view, "GradientSpectralEntropy"));
        Assert.All(results, r => Assert.Equal(expected, r));
        Assert.Single(view.GetRowCursorSet([score], 4));
    }

    [Fact]
    public void ACancelledTokenStopsTheCursor()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4"));
        using var cts = new CancellationTokenSource();
        using var scorer = Pipelines.FitScorer(_ml, data, o => { o.ReadAhead = 10; o.CancellationToken = cts.Token; });
        var view = scorer.Transform(data);
        var score = view.Schema["GradientSpectralEntropy"];

        using var cursor = view.GetRowCursor([score]);
        var getter = cursor.GetGetter<float>(score);
        float value = 0;
        Assert.True(cursor.MoveNext());
        getter(ref value);
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => cursor.MoveNext());
        Assert.Equal(10, scorer.ProbedRowCount);
    }

    [Fact]
    public void TheTransformOverloadTakesItsOwnToken()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4"));
        using var scorer = Pipelines.FitScorer(_ml, data);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var view = scorer.Transform(data, cts.Token);

        Assert.Throws<OperationCanceledException>(() => Pipelines.Column<float>(view, "GradientSpectralEntropy"));
        Assert.Equal(0, scorer.ProbedRowCount);
        Assert.Equal(60, Pipelines.Column<float>(scorer.Transform(data), "GradientSpectralEntropy").Count);
    }

    [Fact]
    public void ADisposedTransformerRefusesToScore()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 3));
        var scorer = Pipelines.FitScorer(_ml, data);
        var view = scorer.Transform(data);
        scorer.Dispose();
        scorer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Pipelines.Column<float>(view, "GradientSpectralEntropy"));
        Assert.Equal(3, Pipelines.Column<ReadOnlyMemory<char>>(view, "Prompt").Count);
    }

    [Fact]
    public void ItIsNotARowToRowMapperAndCannotGoIntoAnMLNetZip()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 3));
        using var scorer = Pipelines.FitScorer(_ml, data);
        using var stream = new MemoryStream();

        Assert.False(scorer.IsRowToRowMapper);
        Assert.Throws<InvalidOperationException>(() => scorer.GetRowToRowMapper(data.Schema));
        var error = Assert.ThrowsAny<Exception>(() => _ml.Model.Save(scorer, data.Schema, stream));
        Assert.NotNull(error);
    }

    [Fact]
    public void ExposesTheModelAndTheProbe()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 3));
        using var scorer = Pipelines.FitScorer(_ml, data);

        Assert.Equal(Path.GetFullPath(TestPaths.TinyModel), scorer.ModelDirectory);
        Assert.Equal("lm_head-closed-form", scorer.ProbeName);
        Assert.Matches("^[0-9a-f]{64}$", scorer.ModelContentHash);
        Assert.Equal(TestPaths.TinyModel, scorer.Options.ModelPath);
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }

    public sealed class NumericResponseRow
    {
        public string Prompt { get; set; } = "";

        [VectorType(2)]
        public float[] Response { get; set; } = [];
    }

    public sealed class ShadowRow
    {
        public string Prompt { get; set; } = "";
        public string Response { get; set; } = "";
        public string GradientSpectralEntropy { get; set; } = "";
    }

    /// <summary>Exposes one (hidden) column of a view under a visible name, to read it back.</summary>
    sealed class HiddenColumnView(IDataView inner, int index) : IDataView
    {
        public bool CanShuffle => false;
        public DataViewSchema Schema { get; } = Build(inner.Schema[index].Type);
        public long? GetRowCount() => inner.GetRowCount();
        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            new Cursor(inner.GetRowCursor([inner.Schema[index]]), inner.Schema[index], Schema);
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [GetRowCursor(columnsNeeded)];

        static DataViewSchema Build(DataViewType type)
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("x", type);
            return builder.ToSchema();
        }

        sealed class Cursor(DataViewRowCursor inner, DataViewSchema.Column source, DataViewSchema schema) : DataViewRowCursor
        {
            public override long Position => inner.Position;
            public override long Batch => inner.Batch;
            public override DataViewSchema Schema => schema;
            public override bool MoveNext() => inner.MoveNext();
            public override bool IsColumnActive(DataViewSchema.Column column) => true;
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => inner.GetGetter<TValue>(source);
            public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();
            protected override void Dispose(bool disposing)
            {
                if (disposing) inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
