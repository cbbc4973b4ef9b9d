using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>Checks that the columns a transform reads exist and have the type it needs, on shapes and on schemas.</summary>
internal static class ColumnChecks
{
    const string TextFix = "Convert it to text first, e.g. mlContext.Transforms.Conversion.ConvertType, or load it as a text column.";
    const string ScoreFix = "Point the filter at the score column of mlContext.Transforms.GradSentry(...).";

    public static void RequireText(SchemaShape shape, string columnName, string role)
    {
        var column = Find(shape, columnName, role);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw SchemaErrors.Mismatch("inputSchema", role, columnName, "String", SchemaErrors.TypeName(column), TextFix);
    }

    public static DataViewSchema.Column RequireText(DataViewSchema schema, string columnName, string role)
    {
        var column = Find(schema, columnName, role);
        if (column.Type is not TextDataViewType)
            throw SchemaErrors.Mismatch("inputSchema", role, columnName, "String", SchemaErrors.TypeName(column.Type), TextFix);
        return column;
    }

    public static void RequireSingle(SchemaShape shape, string columnName, string role)
    {
        var column = Find(shape, columnName, role);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !NumberDataViewType.Single.Equals(column.ItemType))
            throw SchemaErrors.Mismatch("inputSchema", role, columnName, "Single", SchemaErrors.TypeName(column), ScoreFix);
    }

    public static DataViewSchema.Column RequireSingle(DataViewSchema schema, string columnName, string role)
    {
        var column = Find(schema, columnName, role);
        if (!NumberDataViewType.Single.Equals(column.Type))
            throw SchemaErrors.Mismatch("inputSchema", role, columnName, "Single", SchemaErrors.TypeName(column.Type), ScoreFix);
        return column;
    }

    const string SketchFix = "The dataset detectors compare rows by the gradient sketch that mlContext.Transforms.GradSentry() adds " +
        "(GradSentryOptions.SketchColumnName); to threshold the score column alone, use Detector = \"reference\".";

    /// <summary>The sketch column: a known-size <c>Single</c> vector of <see cref="GradSentryOptions.SketchLength"/>.</summary>
    public static void RequireSketch(SchemaShape shape, string columnName)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var column = shape.FirstOrDefault(c => c.Name == columnName);
        if (column.Name is null)
            throw SchemaErrors.Problem("inputSchema", $"Could not find the gradient sketch column '{columnName}'. {SketchFix}");
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || !NumberDataViewType.Single.Equals(column.ItemType))
            throw SchemaErrors.Mismatch("inputSchema", "gradient sketch", columnName, $"Vector<Single, {GradSentryOptions.SketchLength}>", SchemaErrors.TypeName(column), SketchFix);
    }

    /// <inheritdoc cref="RequireSketch(SchemaShape, string)"/>
    public static DataViewSchema.Column RequireSketch(DataViewSchema schema, string columnName)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var column = schema.GetColumnOrNull(columnName)
            ?? throw SchemaErrors.Problem("inputSchema", $"Could not find the gradient sketch column '{columnName}'. {SketchFix}");
        if (column.Type is not VectorDataViewType { ItemType: NumberDataViewType item, Size: GradSentryOptions.SketchLength } || !NumberDataViewType.Single.Equals(item))
            throw SchemaErrors.Mismatch("inputSchema", "gradient sketch", columnName, $"Vector<Single, {GradSentryOptions.SketchLength}>", SchemaErrors.TypeName(column.Type), SketchFix);
        return column;
    }

    static SchemaShape.Column Find(SchemaShape shape, string columnName, string role)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var column in shape)
            if (column.Name == columnName) return column;
        throw SchemaErrors.Missing("inputSchema", role, columnName, shape.Select(c => c.Name));
    }

    static DataViewSchema.Column Find(DataViewSchema schema, string columnName, string role)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.GetColumnOrNull(columnName)
            ?? throw SchemaErrors.Missing("inputSchema", role, columnName, schema.Where(c => !c.IsHidden).Select(c => c.Name));
    }
}
