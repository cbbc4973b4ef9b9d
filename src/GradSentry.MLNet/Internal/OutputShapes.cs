using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>
/// Builds output <see cref="SchemaShape"/>s through ML.NET's public route: <see cref="SchemaShape.Column"/>'s constructor
/// is internal, so the added columns are described by a small row class and a <see cref="SchemaDefinition"/> (which renames
/// them), and <c>CustomMappingEstimator&lt;TSrc, TDst&gt;.GetOutputSchema</c> does the rest. The mapping itself never runs.
/// </summary>
internal static class OutputShapes
{
    static readonly MLContext Context = new(seed: 0);

    /// <summary>The input shape plus the scorer's three columns (an input column of the same name is replaced, as ML.NET does).</summary>
    public static SchemaShape WithScoreColumns(SchemaShape input, string scoreColumnName, string answerTokensColumnName, string errorColumnName)
    {
        var definition = SchemaDefinition.Create(typeof(ScoreRow));
        definition[nameof(ScoreRow.Score)].ColumnName = scoreColumnName;
        definition[nameof(ScoreRow.AnswerTokens)].ColumnName = answerTokensColumnName;
        definition[nameof(ScoreRow.Error)].ColumnName = errorColumnName;
        return Add<ScoreRow>(input, definition);
    }

    /// <summary>The input shape plus the gradient sketch column (a known-size <c>Single</c> vector).</summary>
    public static SchemaShape WithSketchColumn(SchemaShape input, string sketchColumnName)
    {
        var definition = SchemaDefinition.Create(typeof(SketchRow));
        definition[nameof(SketchRow.Sketch)].ColumnName = sketchColumnName;
        return Add<SketchRow>(input, definition);
    }

    /// <summary>The input shape plus the Boolean suspect column.</summary>
    public static SchemaShape WithSuspectColumn(SchemaShape input, string suspectColumnName)
    {
        var definition = SchemaDefinition.Create(typeof(SuspectRow));
        definition[nameof(SuspectRow.IsSuspect)].ColumnName = suspectColumnName;
        return Add<SuspectRow>(input, definition);
    }

    static SchemaShape Add<TRow>(SchemaShape input, SchemaDefinition outputDefinition) where TRow : class, new()
    {
        ArgumentNullException.ThrowIfNull(input);
        var estimator = Context.Transforms.CustomMapping<NoInput, TRow>(static (_, _) => { }, contractName: null,
            inputSchemaDefinition: null, outputSchemaDefinition: outputDefinition);
        return estimator.GetOutputSchema(input);
    }

    /// <summary>Reads no column: the shape only gains columns.</summary>
    internal sealed class NoInput;

    /// <summary>The scorer's added columns (renamed by the definition).</summary>
    internal sealed class ScoreRow
    {
        public float Score { get; set; }
        public int AnswerTokens { get; set; }
        public string Error { get; set; } = "";
    }

    /// <summary>The scorer's sketch column (renamed by the definition).</summary>
    internal sealed class SketchRow
    {
        [VectorType(GradSentryOptions.SketchLength)]
        public float[] Sketch { get; set; } = [];
    }

    /// <summary>The marker's added column (renamed by the definition).</summary>
    internal sealed class SuspectRow
    {
        public bool IsSuspect { get; set; }
    }
}
