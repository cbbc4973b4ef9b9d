using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace GradSentry.Data;

/// <summary>
/// Parquet files as records: each row becomes a JSON object with one property per top-level column, in schema order
/// (null and missing values as JSON null; strings, numbers and booleans as themselves; dates and times as ISO 8601
/// strings; byte arrays as base64; lists and structs as arrays and objects). Files are read one row group at a time.
/// </summary>
public static class ParquetRows
{
    /// <summary>The rows of <paramref name="file"/>, each as a parsed JSON object and its text (the caller disposes each document).</summary>
    /// <exception cref="DatasetException">The file cannot be opened or is not a valid Parquet file.</exception>
    public static IEnumerable<(JsonDocument Json, string Text)> Read(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var stream = Open(file);
        var (schema, groups) = Inspect(file, stream);
        var names = schema.Fields.Select(f => f.Name).ToList();
        for (var g = 0; g < groups; g++)
        {
            var rows = ReadGroup(file, stream, g);
            foreach (var row in rows)
            {
                var text = ToJson(names, row);
                yield return (JsonDocument.Parse(text), text);
            }
        }
    }

    /// <summary>
    /// Writes the rows of <paramref name="files"/> whose 0-based index is in each file's kept set to <paramref name="output"/>
    /// as one Parquet file with the inputs' schema. Streams: each input row group becomes one output row group of its kept
    /// rows (groups with none are skipped), so memory holds one row group, whatever the file size.
    /// </summary>
    /// <param name="files">The inputs and the rows to keep from each.</param>
    /// <param name="output">A readable, writable, seekable stream (appending a row group re-reads the footer).</param>
    /// <param name="verify">Called with every row (file, 0-based row, its JSON text as <see cref="Read"/> gives it) before it is written; throw to stop.</param>
    /// <exception cref="DatasetException">A file cannot be read, or the files have different schemas.</exception>
    public static void WriteFiltered(IReadOnlyList<(string File, IReadOnlySet<long> KeptRows)> files, Stream output, Action<string, long, string>? verify = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanRead || !output.CanWrite || !output.CanSeek)
            throw new ArgumentException("the output stream must be readable, writable and seekable.", nameof(output));
        if (files.Count == 0) throw new ArgumentException("no files were given.", nameof(files));
        ParquetSchema? schema = null;
        var written = false;
        foreach (var (file, keep) in files)
        {
            using var stream = Open(file);
            var (fileSchema, groups) = Inspect(file, stream);
            if (schema is null) schema = fileSchema;
            else if (!schema.Equals(fileSchema))
                throw new DatasetException(file, 0, null, $"its Parquet schema differs from {files[0].File}'s, so the rows cannot go into one file.", "Scan files with different schemas separately.");
            long row = 0;
            var names = fileSchema.Fields.Select(f => f.Name).ToList();
            for (var g = 0; g < groups; g++)
            {
                var kept = new List<IDictionary<string, object?>>();
                foreach (var values in ReadGroup(file, stream, g))
                {
                    verify?.Invoke(file, row, ToJson(names, values));
                    if (keep.Contains(row)) kept.Add(values!);
                    row++;
                }
                if (kept.Count == 0) continue;
                Serialize(kept, schema, output, append: written);
                written = true;
            }
        }
        // Every row was dropped: still a valid Parquet file with the schema and no rows.
        if (!written) Serialize([], schema!, output, append: false);
    }

    static void Serialize(IReadOnlyCollection<IDictionary<string, object?>> rows, ParquetSchema schema, Stream output, bool append) =>
        ParquetSerializer.SerializeUntypedAsync(rows, schema, output, new ParquetOptions { Append = append }).GetAwaiter().GetResult();

    static FileStream Open(string file)
    {
        try
        {
            return GradSentry.IO.RegularFile.OpenRead(file, GradSentry.IO.RegularFile.Unlimited, 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(file, 0, null, $"the file cannot be opened ({ex.Message}).", "Check that it exists and is readable.", ex);
        }
    }

    static (ParquetSchema Schema, int RowGroups) Inspect(string file, Stream stream)
    {
        try
        {
            var reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
            try
            {
                return (reader.Schema, reader.RowGroupCount);
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw Invalid(file, ex);
        }
    }

    static IList<Dictionary<string, object>> ReadGroup(string file, Stream stream, int group)
    {
        try
        {
            stream.Position = 0;
            return ParquetSerializer.DeserializeUntypedAsync(stream, null, group).GetAwaiter().GetResult().Data;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or IndexOutOfRangeException)
        {
            throw Invalid(file, ex);
        }
    }

    static DatasetException Invalid(string file, Exception ex) =>
        new(file, 0, null, $"the file is not a readable Parquet file ({ex.Message}).",
            "Check that it is a complete Parquet file (not truncated, not another format with a .parquet name).", ex);

    static string ToJson(List<string> names, Dictionary<string, object> row)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var name in names)
            {
                writer.WritePropertyName(name);
                WriteValue(writer, row.TryGetValue(name, out var value) ? value : null);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case ReadOnlyMemory<char> m: writer.WriteStringValue(m.Span); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            case float f when !float.IsFinite(f): writer.WriteStringValue(f.ToString(CultureInfo.InvariantCulture)); break;
            case double d when !double.IsFinite(d): writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case float f: writer.WriteNumberValue(f); break;
            case double d: writer.WriteNumberValue(d); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case sbyte or byte or short or ushort or int: writer.WriteNumberValue(Convert.ToInt32(value, CultureInfo.InvariantCulture)); break;
            case uint or long: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case DateTime t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateOnly t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case TimeOnly t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case TimeSpan t: writer.WriteStringValue(t.ToString("c", CultureInfo.InvariantCulture)); break;
            case IDictionary<string, object> map:
                writer.WriteStartObject();
                foreach (var (k, v) in map)
                {
                    writer.WritePropertyName(k);
                    WriteValue(writer, v);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list) WriteValue(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }
}
