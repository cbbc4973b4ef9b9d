using Microsoft.ML;

namespace GradSentry.MLNet.Tests.Support;

/// <summary>Shorthands shared by the tests.</summary>
public static class Pipelines
{
    /// <summary>Options for the bundled tiny model on the CPU.</summary>
    public static GradSentryOptions TinyOptions(Action<GradSentryOptions>? configure = null)
    {
        var options = new GradSentryOptions { ModelPath = TestPaths.TinyModel, Device = "cpu" };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A fitted scorer over <paramref name="data"/>.</summary>
    public static GradSentryTransformer FitScorer(MLContext ml, IDataView data, Action<GradSentryOptions>? configure = null) =>
        ml.Transforms.GradSentry(TinyOptions(configure)).Fit(data);

    /// <summary>Reads one column of every row.</summary>
    public static List<T> Column<T>(IDataView view, string name)
    {
        var column = view.Schema[name];
        var values = new List<T>();
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value);
        }
        return values;
    }
}
