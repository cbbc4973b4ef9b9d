namespace GradSentry.Data;

/// <summary>The file layouts <see cref="SampleReader"/> understands.</summary>
public enum DatasetFormat
{
    /// <summary>JSON Lines: one JSON object per line (<c>.jsonl</c>, <c>.ndjson</c>, <c>.json</c>).</summary>
    JsonLines = 0,

    /// <summary>Comma-separated values with a header row, RFC 4180 quoting (<c>.csv</c>).</summary>
    Csv = 1,

    /// <summary>Tab-separated values with a header row, the same quoting as CSV (<c>.tsv</c>).</summary>
    Tsv = 2,

    /// <summary>
    /// Apache Parquet (<c>.parquet</c>), flat or nested columns. A row's "line" is its 1-based row number in the file,
    /// and its raw text is the row as a JSON object (fields in schema order).
    /// </summary>
    Parquet = 3,
}
