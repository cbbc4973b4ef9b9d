using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Tests.Support;

/// <summary>
/// Input <see cref="SchemaShape"/>s for estimator tests, built the only public way: <c>SchemaShape.Create</c> is internal,
/// so a CustomMapping estimator adds the columns of a row class to an empty shape.
/// </summary>
public static class Shapes
{
    public static SchemaShape Of<TRow>(SchemaDefinition? definition = null) where TRow : class, new() =>
        new MLContext().Transforms.CustomMapping<NoInput, TRow>(static (_, _) => { }, null, null, definition)
            .GetOutputSchema(new SchemaShape([]));

    public static SchemaShape.Column Column(SchemaShape shape, string name) => shape.Single(c => c.Name == name);

    public sealed class NoInput;

    public sealed class TextRow
    {
        public string Prompt { get; set; } = "";
        public string Response { get; set; } = "";
        public float Weight { get; set; }
    }

    public sealed class VectorResponseRow
    {
        public string Prompt { get; set; } = "";

        [VectorType(4)]
        public float[] Response { get; set; } = [];
    }

    public sealed class TextListRow
    {
        public string Prompt { get; set; } = "";
        public string[] Response { get; set; } = [];
    }

    public sealed class ScoreRow
    {
        public float GradientSpectralEntropy { get; set; }
    }

    public sealed class DoubleScoreRow
    {
        public double GradientSpectralEntropy { get; set; }
    }
}
