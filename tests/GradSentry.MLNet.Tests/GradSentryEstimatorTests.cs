using System.ComponentModel.DataAnnotations;
using GradSentry.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Tests;

public class GradSentryEstimatorTests
{
    readonly MLContext _ml = new(seed: 1);

    [Fact]
    public void OutputShapeAddsScoreTokensAndErrorThroughThePublicCustomMappingRoute()
    {
        var input = Shapes.Of<Shapes.TextRow>();
        var estimator = _ml.Transforms.GradSentry(Pipelines.TinyOptions());

        var output = estimator.GetOutputSchema(input);

        Assert.Equal(["Prompt", "Response", "Weight", "GradientSpectralEntropy", "AnswerTokenCount", "GradSentryError", "GradientSketch"], output.Select(c => c.Name));
        var sketch = Shapes.Column(output, "GradientSketch");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, sketch.Kind);
        Assert.Equal(NumberDataViewType.Single, sketch.ItemType);
        var score = Shapes.Column(output, "GradientSpectralEntropy");
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, score.Kind);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        Assert.False(score.IsKey);
        Assert.Equal(NumberDataViewType.Int32, Shapes.Column(output, "AnswerTokenCount").ItemType);
        Assert.Equal(TextDataViewType.Instance, Shapes.Column(output, "GradSentryError").ItemType);
        // The same columns a plain CustomMappingEstimator reports for a row class with those members.
        var reference = Shapes.Of<ReferenceRow>();
        foreach (var column in reference)
        {
            var ours = Shapes.Column(output, column.Name);
            Assert.Equal(column.Kind, ours.Kind);
            Assert.Equal(column.ItemType, ours.ItemType);
            Assert.Equal(column.IsKey, ours.IsKey);
        }
    }

    [Fact]
    public void OutputShapeAgreesWithTheFittedTransformersSchema()
    {
        var rows = QaRow.Golden("qa_n60_p0.5_s4", 3);
        var data = _ml.Data.LoadFromEnumerable(rows);
        var estimator = _ml.Transforms.GradSentry(Pipelines.TinyOptions(o => o.OutputColumnName = "Entropy"));
        using var transformer = estimator.Fit(data);

        var shape = estimator.GetOutputSchema(Shapes.Of<QaRow>());
        var schema = transformer.GetOutputSchema(data.Schema);

        Assert.Equal(schema.Select(c => c.Name), shape.Select(c => c.Name));
        foreach (var column in shape)
            Assert.Equal(schema[column.Name].Type is VectorDataViewType vector ? vector.ItemType : schema[column.Name].Type, column.ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, Shapes.Column(shape, "GradientSketch").Kind);
    }

    [Fact]
    public void ChainsShapeThroughTheFilterAndFurtherTransforms()
    {
        var pipeline = _ml.Transforms.GradSentry(Pipelines.TinyOptions())
            .Append(_ml.Transforms.GradSentryMarkSuspects())
            .Append(_ml.Transforms.GradSentryFilter())
            .Append(_ml.Transforms.Concatenate("Features", "GradientSpectralEntropy", "Weight"));

        var output = pipeline.GetOutputSchema(Shapes.Of<Shapes.TextRow>());

        Assert.Equal(BooleanDataViewType.Instance, Shapes.Column(output, "IsSuspect").ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, Shapes.Column(output, "Features").Kind);
    }

    [Theory]
    [InlineData("Prompt", "Could not find prompt column 'Prompt'")]
    [InlineData("Response", "Could not find response column 'Response'")]
    public void AMissingColumnInTheShapeIsNamed(string which, string message)
    {
        var definition = SchemaDefinition.Create(typeof(Shapes.TextRow));
        definition[which].ColumnName = "Renamed";
        var input = Shapes.Of<Shapes.TextRow>(definition);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.Transforms.GradSentry(Pipelines.TinyOptions()).GetOutputSchema(input));

        Assert.Contains(message, error.Message);
        Assert.Contains("'Renamed'", error.Message);
    }

    [Fact]
    public void ANonTextColumnInTheShapeIsNamedWithItsType()
    {
        var estimator = _ml.Transforms.GradSentry(Pipelines.TinyOptions());

        var vector = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shapes.Of<Shapes.VectorResponseRow>()));
        var list = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(Shapes.Of<Shapes.TextListRow>()));
        var number = Assert.Throws<ArgumentOutOfRangeException>(() =>
            _ml.Transforms.GradSentry(Pipelines.TinyOptions(o => o.PromptColumnName = "Weight")).GetOutputSchema(Shapes.Of<Shapes.TextRow>()));

        Assert.Contains("Schema mismatch for response column 'Response': expected String, got Vector<Single>", vector.Message);
        Assert.Contains("Schema mismatch for response column 'Response': expected String, got VarVector<String>", list.Message);
        Assert.Contains("Schema mismatch for prompt column 'Weight': expected String, got Single", number.Message);
    }

    [Fact]
    public void FitChecksColumnsBeforeLoadingAnyModel()
    {
        var data = _ml.Data.LoadFromEnumerable(new List<Shapes.VectorResponseRow> { new() { Prompt = "a", Response = [1, 2, 3, 4] } });
        var estimator = _ml.Transforms.GradSentry(new GradSentryOptions { ModelPath = "/nonexistent/model" });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));

        Assert.Contains("'Response'", error.Message);
    }

    [Fact]
    public void FitNamesAModelDirectoryThatDoesNotExist()
    {
        var data = _ml.Data.LoadFromEnumerable(QaRow.Golden("qa_n60_p0.5_s4", 2));
        var estimator = _ml.Transforms.GradSentry(new GradSentryOptions { ModelPath = "/nonexistent/model", Device = "cpu" });

        var error = Assert.Throws<DirectoryNotFoundException>(() => estimator.Fit(data));

        Assert.Contains("/nonexistent/model", error.Message);
    }

    [Fact]
    public void InvalidOptionsAreAllListedAtConstruction()
    {
        var options = new GradSentryOptions { BatchSize = 0, Rank = 1, ReadAhead = 0, MaxLength = 1, ErrorColumnName = "GradientSpectralEntropy", DType = "int8" };

        var error = Assert.Throws<ValidationException>(() => _ml.Transforms.GradSentry(options));

        Assert.StartsWith("The 'GradSentryOptions' are invalid.", error.Message);
        Assert.Contains("BatchSize", error.Message);
        Assert.Contains("Rank", error.Message);
        Assert.Contains("ReadAhead", error.Message);
        Assert.Contains("MaxLength", error.Message);
        Assert.Contains("output column names must differ", error.Message);
        Assert.Contains("'int8' is not a compute dtype", error.Message);
    }

    [Fact]
    public void TheEstimatorKeepsItsOwnCopyOfTheOptions()
    {
        var options = Pipelines.TinyOptions();
        var estimator = _ml.Transforms.GradSentry(options);

        options.OutputColumnName = "Changed";
        options.BatchSize = -5;

        Assert.Equal("GradientSpectralEntropy", estimator.Options.OutputColumnName);
        Assert.Equal(16, estimator.Options.BatchSize);
    }

    public sealed class ReferenceRow
    {
        public float GradientSpectralEntropy { get; set; }
        public int AnswerTokenCount { get; set; }
        public string GradSentryError { get; set; } = "";
    }
}
