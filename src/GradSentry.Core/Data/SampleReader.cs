using System.Globalization;
using System.Text.Json;

namespace GradSentry.Data;

/// <summary>
/// Streams <see cref="SampleRow"/>s from JSON Lines, CSV and TSV files with constant memory (one line or record at a
/// time; nothing is loaded whole), and from Parquet files one row group at a time. Files are UTF-8 (a byte-order mark is accepted and skipped), lines end in LF or
/// CRLF. Every problem is a <see cref="DatasetException"/> naming the file, line and the fix.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>JSON Lines: one JSON object per line; a line holding anything else is an error.</item>
/// <item>CSV/TSV: the first record is the header (names non-empty and unique); every record must have as many fields
/// as the header (ragged rows are errors).</item>
/// <item>A blank line is an error unless <see cref="ReaderOptions.SkipBlankLines"/> is set.</item>
/// <item>A file with no data rows (empty, or a header only) is an error.</item>
/// <item>Rows are numbered from 0 in each file; lines are physical lines from 1 (a header is line 1, not a row).</item>
/// <item>Parquet: every row is a record whose fields are the columns (see <see cref="ParquetRows"/>); its line is its row number + 1.</item>
/// </list>
/// Missing files and unknown extensions are reported when <see cref="Read(IEnumerable{string}, ReaderOptions?)"/> is called; everything
/// else lazily: files are opened, and errors raised, as rows are enumerated. The input files are only ever opened for reading.
/// </remarks>
public static class SampleReader
{
    static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };

    /// <summary>The rows of several files, one after another, each numbered from row 0.</summary>
    /// <exception cref="ArgumentException">No files, an empty path, or invalid options.</exception>
    /// <exception cref="DatasetException">A file does not exist or its format cannot be told from its extension (both checked before reading
    /// starts), or, while enumerating, a file cannot be opened or is invalid.</exception>
    public static IEnumerable<SampleRow> Read(IEnumerable<string> files, ReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        options = Validate(options);
        var plan = new List<(string File, DatasetFormat Format)>();
        foreach (var file in files)
        {
            if (string.IsNullOrEmpty(file)) throw new ArgumentException("A dataset path is empty.", nameof(files));
            if (Directory.Exists(file))
                throw new DatasetException(file, 0, null, "this is a directory, not a dataset file.", "Name the .jsonl, .csv, .tsv or .parquet file(s) inside it.");
            var facts = GradSentry.IO.FileFacts.Of(file);
            if (!facts.Exists)
                throw new DatasetException(file, 0, null, "the dataset file does not exist.", "Check the path (relative paths start at the current directory).");
            if (facts.Kind != GradSentry.IO.FileKind.Regular)
                throw new DatasetException(file, 0, null, GradSentry.IO.RegularFile.Problem(file)!, "Pass a regular .jsonl, .csv, .tsv or .parquet file.");
            plan.Add((file, options.Format ?? DetectFormat(file)));
        }
        if (plan.Count == 0) throw new ArgumentException("No dataset files were given.", nameof(files));
        return ReadAll(plan, options);
    }

    /// <summary>The rows of one file.</summary>
    /// <exception cref="ArgumentException">An empty path or invalid options.</exception>
    /// <exception cref="DatasetException">The file does not exist, the format cannot be told from the extension, or, while enumerating, the file
    /// cannot be opened or is invalid.</exception>
    public static IEnumerable<SampleRow> Read(string file, ReaderOptions? options = null) => Read([file], options);

    /// <summary>The format implied by the extension: <c>.jsonl</c>, <c>.ndjson</c>, <c>.json</c> → JSON Lines; <c>.csv</c>; <c>.tsv</c>, <c>.tab</c>; <c>.parquet</c> (case-insensitive).</summary>
    /// <exception cref="DatasetException">Any other extension (the message says how to name the format).</exception>
    public static DatasetFormat DetectFormat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".jsonl" or ".ndjson" or ".json" => DatasetFormat.JsonLines,
            ".csv" => DatasetFormat.Csv,
            ".tsv" or ".tab" => DatasetFormat.Tsv,
            ".parquet" => DatasetFormat.Parquet,
            _ => throw new DatasetException(path, 0, null,
                extension.Length == 0 ? "the file name has no extension, so its format is unknown." : $"the extension '{extension}' does not tell the format.",
                "Name the file .jsonl, .csv, .tsv or .parquet, or give the format explicitly (ReaderOptions.Format / --input-format jsonl|csv|tsv|parquet)."),
        };
    }

    /// <summary>Parses a format name: <c>jsonl</c>, <c>json</c>, <c>ndjson</c>, <c>csv</c>, <c>tsv</c>, <c>parquet</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">Any other name.</exception>
    public static DatasetFormat ParseFormat(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "jsonl" or "json" or "ndjson" => DatasetFormat.JsonLines,
            "csv" => DatasetFormat.Csv,
            "tsv" => DatasetFormat.Tsv,
            "parquet" => DatasetFormat.Parquet,
            _ => throw new FormatException($"Unknown dataset format '{name}'; use jsonl, csv, tsv or parquet."),
        };
    }

    static ReaderOptions Validate(ReaderOptions? options)
    {
        options ??= new ReaderOptions();
        if (options.Template is null) throw new ArgumentException("ReaderOptions.Template must be set.", nameof(options));
        if (options.MaxLineBytes <= 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ReaderOptions.MaxLineBytes must be positive; got {options.MaxLineBytes}."), nameof(options));
        if (options.Format is { } f && !Enum.IsDefined(f))
            throw new ArgumentException($"Unknown dataset format {f}.", nameof(options));
        return options;
    }

    static IEnumerable<SampleRow> ReadAll(List<(string File, DatasetFormat Format)> plan, ReaderOptions options)
    {
        foreach (var (file, format) in plan)
        {
            var rows = format switch
            {
                DatasetFormat.JsonLines => ReadJsonLines(file, options),
                DatasetFormat.Parquet => ReadParquet(file, options),
                _ => ReadDelimited(file, format == DatasetFormat.Csv ? ',' : '\t', options),
            };
            foreach (var row in rows) yield return row;
        }
    }

    static FileStream Open(string file)
    {
        try
        {
            return GradSentry.IO.RegularFile.OpenRead(file, GradSentry.IO.RegularFile.Unlimited, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(file, 0, null, $"the file cannot be opened ({ex.Message}).", "Check that it exists and is readable.", ex);
        }
    }

    static IEnumerable<SampleRow> ReadJsonLines(string file, ReaderOptions options)
    {
        using var lines = new Utf8LineReader(Open(file), file, options.MaxLineBytes);
        long row = 0;
        while (lines.TryRead(out var line))
        {
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                if (!options.SkipBlankLines) throw CsvRecordReader.Blank(file, line.Number);
                options.BlankLines?.Add(file, line.Number);
                continue;
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(lines.LineBytes, JsonOptions);
            }
            catch (JsonException ex)
            {
                var bytes = (int)Math.Min(ex.BytePositionInLine ?? 0, lines.LineBytes.Length);
                var column = System.Text.Encoding.UTF8.GetCharCount(lines.LineBytes.Span[..bytes]) + 1;
                throw new DatasetException(file, line.Number, column,
                    $"the line is not valid JSON ({DataRecord.ShortJsonMessage(ex)}).",
                    "Each line must hold one complete JSON object (JSON Lines); a pretty-printed or array JSON file can be converted with `jq -c '.[]' in.json > out.jsonl`.",
                    ex)
                { ByteOffset = line.ByteOffset + bytes };
            }
            SampleRow sample;
            using (document)
            {
                var record = DataRecord.FromJson(file, row, line.Number, document.RootElement);
                sample = Build(record, line.Text, options.Template);
            }
            yield return sample;
            row++;
        }
        if (row == 0) throw NoRows(file, "the file has no rows (only blank lines).");
    }

    static IEnumerable<SampleRow> ReadDelimited(string file, char delimiter, ReaderOptions options)
    {
        using var lines = new Utf8LineReader(Open(file), file, options.MaxLineBytes);
        var records = new CsvRecordReader(lines, file, delimiter, options.MaxLineBytes, options.SkipBlankLines, options.BlankLines);
        if (!records.TryRead(out var headerRecord)) throw NoRows(file, "the file has no header and no rows (only blank lines).");
        var header = headerRecord.Fields;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i].Length == 0)
                throw new DatasetException(file, headerRecord.Line, null,
                    string.Create(CultureInfo.InvariantCulture, $"column {i + 1} of the header has no name."),
                    "The first line must name every column (e.g. prompt,response).");
            if (!seen.Add(header[i]))
                throw new DatasetException(file, headerRecord.Line, null, $"the header names the column '{header[i]}' twice.",
                    "Give every column a different name.") { Field = header[i] };
        }
        var kind = delimiter == ',' ? "comma" : "tab";
        long row = 0;
        while (records.TryRead(out var record))
        {
            if (record.Fields.Count != header.Count)
                throw new DatasetException(file, record.Line, null,
                    string.Create(CultureInfo.InvariantCulture, $"the record has {record.Fields.Count} fields but the header has {header.Count}."),
                    $"Give every row one value per column; quote values that contain a {kind} or a line break (\"...\").");
            var data = DataRecord.FromFields(file, row, record.Line, header, record.Fields).WithHeaderLine(headerRecord.Line);
            yield return Build(data, record.Raw, options.Template);
            row++;
        }
        if (row == 0) throw NoRows(file, "the file has a header but no rows.");
    }

    static IEnumerable<SampleRow> ReadParquet(string file, ReaderOptions options)
    {
        long row = 0;
        foreach (var (json, text) in ParquetRows.Read(file))
        {
            SampleRow sample;
            using (json)
            {
                var record = DataRecord.FromJson(file, row, row + 1, json.RootElement);
                sample = Build(record, text, options.Template);
            }
            yield return sample;
            row++;
        }
        if (row == 0) throw NoRows(file, "the Parquet file has no rows.");
    }

    static SampleRow Build(DataRecord record, string raw, IPromptTemplate template)
    {
        var pair = template.Apply(record);
        if (pair.Prompt is null || pair.Response is null)
            throw record.Error($"the template '{template.Name}' produced no {(pair.Prompt is null ? "prompt" : "response")}.", "Fix the template.");
        if (pair.Response.Length == 0)
            throw record.Error($"the template '{template.Name}' produced an empty response, so there is nothing to score.", "Drop the row or fill in the response.");
        return new SampleRow(record.File, record.Row, record.Line, pair.Prompt, pair.Response, raw, record.UnreadFields());
    }

    static DatasetException NoRows(string file, string problem) =>
        new(file, 0, null, problem, "Add at least one row; there is nothing to scan.");
}
