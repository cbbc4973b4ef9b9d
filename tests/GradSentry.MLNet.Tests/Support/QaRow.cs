using System.Text.Json;

namespace GradSentry.MLNet.Tests.Support;

/// <summary>One golden row as ML.NET sees it.</summary>
public sealed class QaRow
{
    public string Prompt { get; set; } = "";
    public string Response { get; set; } = "";
    public bool Poisoned { get; set; }

    /// <summary>The first <paramref name="count"/> rows of a golden data file (all when null).</summary>
    public static List<QaRow> Golden(string name, int? count = null)
    {
        var rows = new List<QaRow>();
        foreach (var line in File.ReadLines(TestPaths.GoldenData(name)))
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            rows.Add(new QaRow
            {
                Prompt = doc.RootElement.GetProperty("prompt").GetString()!,
                Response = doc.RootElement.GetProperty("response").GetString()!,
                Poisoned = doc.RootElement.GetProperty("poisoned").GetInt32() != 0,
            });
            if (rows.Count == count) break;
        }
        return rows;
    }
}

/// <summary>A golden row read back with its scores.</summary>
public sealed class ScoredQaRow
{
    public string Prompt { get; set; } = "";
    public string Response { get; set; } = "";
    public bool Poisoned { get; set; }
    public float GradientSpectralEntropy { get; set; }
    public int AnswerTokenCount { get; set; }
    public string GradSentryError { get; set; } = "";
}
