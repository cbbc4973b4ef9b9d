using System.Security.Cryptography;
using GradSentry.Data;
using GradSentry.IO;
using GradSentry.Scanning;
using GradSentry.Tool.Reports;

namespace GradSentry.Tool.Output;

/// <summary>
/// Writes the rows that passed (every row except the suspects the gate counts) in the input's own format: JSON Lines
/// and CSV/TSV as the input's bytes line for line (a CSV header once), Parquet as a Parquet file with the input's
/// schema. Several inputs are concatenated; they must share a format (and for CSV/TSV, the header).
/// </summary>
/// <remarks>
/// The copy is made from the input files after the scan, so each row is checked, as it is copied, against the hash
/// recorded when it was scored: a row that changed, a row that appeared, or a row that vanished in between is an error
/// and no filtered copy is written. A row that was never scored can therefore not reach the clean file.
/// </remarks>
public static class FilteredOutputWriter
{
    /// <summary>Renders the filtered copy of the scanned data into <paramref name="output"/>.</summary>
    /// <exception cref="UsageException">The inputs mix formats or CSV headers.</exception>
    /// <exception cref="DatasetException">An input changed since it was scored (the message names the file and line).</exception>
    public static void Write(ScanReport report, DatasetFormat? forcedFormat, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var groups = FileGroups(report);
        var formats = groups.Select(g => forcedFormat ?? SampleReader.DetectFormat(g.File)).Distinct().ToList();
        if (formats.Count > 1)
            throw new UsageException($"--filtered-output writes one file in the input's format, but the inputs mix formats ({string.Join(", ", formats)}); scan them separately.");
        var format = formats[0];
        var rows = report.Result.Rows;
        if (format == DatasetFormat.Parquet)
        {
            var seen = new long[groups.Count];
            var byFile = groups.Select((g, i) => (g, i)).ToDictionary(x => x.g.File, x => x.i, StringComparer.Ordinal);
            ParquetRows.WriteFiltered(groups.Select(g => (g.File, (IReadOnlySet<long>)g.KeptRows)).ToList(), output, (file, row, text) =>
            {
                var g = byFile[file];
                var group = groups[g];
                seen[g]++;
                if (row >= group.RowStarts.Length) throw Extra(group.File, row + 1);
                var scored = rows[group.FirstIndex + (int)row];
                if (!SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)).AsSpan().SequenceEqual(Convert.FromHexString(scored.RowHash)))
                    throw Changed(group.File, scored.Line);
            });
            for (var g = 0; g < groups.Count; g++)
                if (seen[g] < groups[g].RowStarts.Length) throw Missing(groups[g].File, groups[g].RowStarts.Length, seen[g]);
            return;
        }

        byte[]? header = null;
        var atLineStart = true;
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var firstLine = group.RowStarts[0];
            if (format != DatasetFormat.JsonLines)
            {
                using var buffer = new MemoryStream();
                LineFilter.Copy(group.File, buffer, line => line < firstLine, keepBom: false, atLineStart: true);
                var bytes = buffer.ToArray();
                if (header is null) header = bytes;
                else if (!bytes.AsSpan().SequenceEqual(header))
                    throw new UsageException($"{group.File}: its header differs from {groups[0].File}'s; --filtered-output writes one CSV file with one header. Scan the files separately.");
            }
            atLineStart = CopyVerified(group, rows, output, keepBom: g == 0, writeHeader: g == 0, atLineStart);
        }
    }

    /// <summary>
    /// Copies the header (when asked) and the kept rows of one text file, checking every row's bytes against its recorded
    /// hash. Returns whether the last byte written ended a line.
    /// </summary>
    static bool CopyVerified(FileGroup group, IReadOnlyList<ScanRow> rows, Stream output, bool keepBom, bool writeHeader, bool atLineStart)
    {
        using var input = RegularFile.OpenRead(group.File, RegularFile.Unlimited, 1 << 16, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new MemoryStream();
        var buffer = new byte[1 << 16];
        var starts = group.RowStarts;
        long number = 1;
        var row = -1;            // the row whose lines are being read (-1: the header)
        var verified = false;    // the current row's bytes so far matched its hash
        byte[]? expected = null;
        var ended = atLineStart;
        var first = true;

        void Finish()
        {
            if (row >= 0 && !verified) throw Changed(group.File, starts[row]);
        }

        void Line(ReadOnlySpan<byte> bytes, bool atEnd)
        {
            if (row + 1 < starts.Length && number == starts[row + 1])
            {
                Finish();
                row++;
                verified = false;
                expected = Convert.FromHexString(rows[group.FirstIndex + row].RowHash);
                hash.GetHashAndReset();
            }
            var content = bytes;
            if (content.Length > 0 && content[^1] == (byte)'\n') content = content[..^1];
            if (content.Length > 0 && content[^1] == (byte)'\r' && (content.Length < bytes.Length || atEnd)) content = content[..^1];
            if (row >= 0)
            {
                if (verified)
                {
                    // Past the end of its row: only blank lines (skipped by the reader) may follow; anything else was not scored.
                    if (!IsBlank(content)) throw Extra(group.File, number);
                }
                else
                {
                    hash.AppendData(content);
                    verified = hash.GetCurrentHash().AsSpan().SequenceEqual(expected);
                    hash.AppendData(bytes[content.Length..]);
                }
            }
            var keep = row < 0 ? writeHeader : group.KeptRows.Contains(row);
            if (keep && bytes.Length > 0)
            {
                // The previous file ended without a line break: separate its last line from this one.
                if (!ended) output.WriteByte((byte)'\n');
                output.Write(bytes);
                ended = bytes[^1] == (byte)'\n';
            }
            number++;
        }

        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            if (first)
            {
                first = false;
                ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
                if (span.StartsWith(bom))
                {
                    if (keepBom && writeHeader) output.Write(bom);
                    span = span[bom.Length..];
                }
            }
            while (span.Length > 0)
            {
                var newline = span.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    line.Write(span);
                    break;
                }
                if (line.Length == 0)
                {
                    Line(span[..(newline + 1)], atEnd: false);
                }
                else
                {
                    line.Write(span[..(newline + 1)]);
                    Line(line.GetBuffer().AsSpan(0, (int)line.Length), atEnd: false);
                    line.SetLength(0);
                }
                span = span[(newline + 1)..];
            }
        }
        if (line.Length > 0) Line(line.GetBuffer().AsSpan(0, (int)line.Length), atEnd: true);
        Finish();
        if (row + 1 < starts.Length) throw Missing(group.File, starts.Length, row + 1);
        return ended;
    }

    static bool IsBlank(ReadOnlySpan<byte> content)
    {
        foreach (var b in content)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\f' or (byte)'\v')) return false;
        return true;
    }

    static DatasetException Changed(string file, long line) => new(file, line, null,
        "the row changed after it was scored: its bytes no longer match the hash recorded when it was scored, so --filtered-output was not written.",
        "Do not modify the dataset while it is scanned; scan it again.");

    static DatasetException Extra(string file, long line) => new(file, line, null,
        "this row was not there when the file was scored (the file changed during the scan), so --filtered-output was not written.",
        "Do not modify the dataset while it is scanned; scan it again.");

    static DatasetException Missing(string file, long rows, long found) => new(file, 0, null,
        $"the file had {rows} rows when it was scored but has only {found} now (it changed during the scan), so --filtered-output was not written.",
        "Do not modify the dataset while it is scanned; scan it again.");

    /// <summary>The rows of each input file, in order (a file's rows start again at row 0).</summary>
    static List<FileGroup> FileGroups(ScanReport report)
    {
        var rows = report.Result.Rows;
        var groups = new List<FileGroup>();
        var starts = new List<long>();
        var kept = new HashSet<long>();
        string? file = null;
        var firstIndex = 0;
        for (var i = 0; i <= rows.Count; i++)
        {
            if (i == rows.Count || rows[i].Row == 0)
            {
                if (file is not null) groups.Add(new FileGroup(file, firstIndex, [.. starts], [.. kept]));
                if (i == rows.Count) break;
                file = rows[i].File;
                firstIndex = i;
                starts.Clear();
                kept.Clear();
            }
            starts.Add(rows[i].Line);
            if (!report.IsSuspect(i)) kept.Add(rows[i].Row);
        }
        return groups;
    }

    sealed record FileGroup(string File, int FirstIndex, long[] RowStarts, HashSet<long> KeptRows);
}
