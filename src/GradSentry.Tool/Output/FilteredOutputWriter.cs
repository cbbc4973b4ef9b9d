using GradSentry.Data;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Output;

/// <summary>
/// Writes the rows that passed (every row except the suspects the gate counts) in the input's own format: JSON Lines
/// and CSV/TSV as the input's bytes line for line (a CSV header once), Parquet as a Parquet file with the input's
/// schema. Several inputs are concatenated; they must share a format (and for CSV/TSV, the header).
/// </summary>
public static class FilteredOutputWriter
{
    /// <summary>Renders the filtered copy of the scanned data into <paramref name="output"/>.</summary>
    /// <exception cref="UsageException">The inputs mix formats or CSV headers.</exception>
    public static void Write(ScanReport report, DatasetFormat? forcedFormat, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var groups = FileGroups(report);
        var formats = groups.Select(g => forcedFormat ?? SampleReader.DetectFormat(g.File)).Distinct().ToList();
        if (formats.Count > 1)
            throw new UsageException($"--filtered-output writes one file in the input's format, but the inputs mix formats ({string.Join(", ", formats)}); scan them separately.");
        var format = formats[0];
        if (format == DatasetFormat.Parquet)
        {
            ParquetRows.WriteFiltered(groups.Select(g => (g.File, (IReadOnlySet<long>)g.KeptRows)).ToList(), output);
            return;
        }

        byte[]? header = null;
        var atLineStart = true;
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var starts = group.RowStarts;
            var firstLine = starts[0];
            if (format != DatasetFormat.JsonLines)
            {
                using var buffer = new MemoryStream();
                LineFilter.Copy(group.File, buffer, line => line < firstLine, keepBom: false, atLineStart: true);
                var bytes = buffer.ToArray();
                if (header is null) header = bytes;
                else if (!bytes.AsSpan().SequenceEqual(header))
                    throw new UsageException($"{group.File}: its header differs from {groups[0].File}'s; --filtered-output writes one CSV file with one header. Scan the files separately.");
            }
            var kept = group.KeptRows;
            atLineStart = LineFilter.Copy(group.File, output, line =>
            {
                var index = Array.BinarySearch(starts, line);
                if (index < 0) index = ~index - 1;
                if (index < 0) return g == 0; // the header: once, from the first file
                return kept.Contains(index);
            }, keepBom: g == 0, atLineStart);
        }
    }

    /// <summary>The rows of each input file, in order (a file's rows start again at row 0).</summary>
    static List<FileGroup> FileGroups(ScanReport report)
    {
        var rows = report.Result.Rows;
        var groups = new List<FileGroup>();
        var starts = new List<long>();
        var kept = new HashSet<long>();
        string? file = null;
        for (var i = 0; i <= rows.Count; i++)
        {
            if (i == rows.Count || rows[i].Row == 0)
            {
                if (file is not null) groups.Add(new FileGroup(file, [.. starts], [.. kept]));
                if (i == rows.Count) break;
                file = rows[i].File;
                starts.Clear();
                kept.Clear();
            }
            starts.Add(rows[i].Line);
            if (!report.IsSuspect(i)) kept.Add(rows[i].Row);
        }
        return groups;
    }

    sealed record FileGroup(string File, long[] RowStarts, HashSet<long> KeptRows);
}
