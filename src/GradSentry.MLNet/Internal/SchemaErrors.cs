using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>
/// The one place schema errors are shaped, worded like ML.NET's own
/// (<c>Could not find input column 'X'</c>, <c>Schema mismatch for input column 'X': expected String, got Single</c>),
/// thrown as <see cref="ArgumentOutOfRangeException"/> on the schema parameter, as ML.NET does.
/// </summary>
internal static class SchemaErrors
{
    public static ArgumentOutOfRangeException Missing(string parameterName, string role, string columnName, IEnumerable<string> present) =>
        new(parameterName,
            $"Could not find {role} column '{columnName}'. Columns present: {Describe(present)}. " +
            "Name the column in the options, or rename it upstream (mlContext.Transforms.CopyColumns).");

    public static ArgumentOutOfRangeException Mismatch(string parameterName, string role, string columnName, string expected, string found, string fix) =>
        new(parameterName, $"Schema mismatch for {role} column '{columnName}': expected {expected}, got {found}. {fix}");

    /// <summary>Any other schema problem, in the same exception type.</summary>
    public static ArgumentOutOfRangeException Problem(string parameterName, string message) => new(parameterName, message);

    /// <summary>ML.NET's spelling of a shape column's type: <c>String</c>, <c>Vector&lt;Single&gt;</c>, <c>VarVector&lt;Single&gt;</c>.</summary>
    public static string TypeName(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => column.ItemType.ToString() ?? "",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"VarVector<{column.ItemType}>",
    };

    /// <summary>ML.NET's spelling of a schema column's type.</summary>
    public static string TypeName(DataViewType type) => type.ToString() ?? "";

    static string Describe(IEnumerable<string> names)
    {
        var list = names.Distinct(StringComparer.Ordinal).Take(21).Select(n => "'" + n + "'").ToList();
        if (list.Count == 0) return "none";
        return list.Count > 20 ? string.Join(", ", list.Take(20)) + ", ..." : string.Join(", ", list);
    }
}
