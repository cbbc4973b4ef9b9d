using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Formatters;

/// <summary>Writes a <see cref="ScanReport"/> in one output format (<c>--format NAME</c>).</summary>
public interface IReportFormatter
{
    /// <summary>The format's name on the command line (<c>text</c>, <c>json</c>, ...).</summary>
    string Name { get; }

    /// <summary>The file name used in a <c>--report DIR</c> folder.</summary>
    string FileName { get; }

    /// <summary>Writes the report to <paramref name="output"/> (UTF-8, no byte-order mark). Does not close the stream.</summary>
    void Write(ScanReport report, Stream output);
}
