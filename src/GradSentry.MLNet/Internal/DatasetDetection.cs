using System.Security.Cryptography;
using System.Text;
using GradSentry.Detection;
using GradSentry.Scoring;
using GradSentry.Thresholds;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GradSentry.MLNet.Internal;

/// <summary>What a dataset detector learned in <c>Fit</c>: its threshold, the rows it flagged (by text) and its evidence.</summary>
internal sealed record DatasetFit(
    ThresholdResult Threshold,
    IReadOnlySet<string> FlaggedRows,
    long Rows,
    long ScoredRows,
    string Outcome,
    IReadOnlyList<BackdoorGroup> Groups,
    IReadOnlyList<BackdoorGroup> SetAside);

/// <summary>
/// Runs a detector that compares rows (trigger-conditional, length-controlled) over every row of a scored data view, with
/// the engine's own code (<see cref="AssociationInputs"/>, <see cref="LengthControlledScore"/>), so that ML.NET and the
/// tool decide alike. The flagged rows are remembered by a hash of their prompt and response text: the fitted filter
/// recognises them again in <c>Transform</c> from the text columns alone, without scoring a second time.
/// </summary>
internal static class DatasetDetection
{
    /// <summary>Reads the score, sketch, prompt and response columns once and decides.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
    public static DatasetFit Fit(IDataView input, GradSentryFilterOptions options)
    {
        var schema = input.Schema;
        var scoreColumn = ColumnChecks.RequireSingle(schema, options.ScoreColumnName, "score");
        var sketchColumn = ColumnChecks.RequireSketch(schema, options.SketchColumnName);
        var promptColumn = ColumnChecks.RequireText(schema, options.PromptColumnName, "prompt");
        var responseColumn = ColumnChecks.RequireText(schema, options.ResponseColumnName, "response");
        var kind = options.DetectorKind;

        var scores = new List<SampleScore>();
        var keys = new List<string>();
        var association = new AssociationInputs();
        using (var cursor = input.GetRowCursor([scoreColumn, sketchColumn, promptColumn, responseColumn]))
        {
            var score = cursor.GetGetter<float>(scoreColumn);
            var sketch = cursor.GetGetter<VBuffer<float>>(sketchColumn);
            var prompt = cursor.GetGetter<ReadOnlyMemory<char>>(promptColumn);
            var response = cursor.GetGetter<ReadOnlyMemory<char>>(responseColumn);
            float value = 0;
            VBuffer<float> vector = default;
            ReadOnlyMemory<char> promptText = default, responseText = default;
            while (cursor.MoveNext())
            {
                score(ref value);
                prompt(ref promptText);
                response(ref responseText);
                var id = scores.Count;
                keys.Add(RowKey(promptText.Span, responseText.Span));
                if (!float.IsFinite(value))
                {
                    scores.Add(SampleScore.Failed(id, "not scored"));
                    continue;
                }
                sketch(ref vector);
                var row = new SampleScore(id, value, 0, double.NaN, double.NaN, [], 0, false, null) { Sketch = vector.DenseValues().ToArray() };
                scores.Add(row);
                if (kind == ScoreKind.TriggerConditional) association.Add(row, promptText.ToString(), responseText.ToString());
            }
        }

        IReadOnlyList<SampleScore> final;
        IThresholdRule rule;
        string outcome;
        string? fallback = null;
        IReadOnlyList<BackdoorGroup> groups = [], setAside = [];
        if (kind == ScoreKind.TriggerConditional)
        {
            var (decided, result) = association.Decide(scores, new TriggerAssociationOptions());
            final = decided;
            outcome = result.Summary;
            groups = result.Verdict?.Groups ?? [];
            setAside = result.Verdict?.SetAside ?? [];
            rule = result.Verdict is not null && ThresholdRule.IsAuto(options.Threshold)
                ? new FixedThreshold(TriggerAssociation.FlagAbove, ThresholdMethods.TriggerAssociation)
                : ThresholdRule.Parse(options.Threshold);
            if (result.Verdict is null) fallback = ThresholdMethods.FallbackTriggerAssociationSmallN;
        }
        else
        {
            final = LengthControlledScore.Apply(scores, LengthControlledScore.DefaultNeighbours);
            outcome = $"{ScoreKinds.Name(kind)}: each row's gradient compared with its {LengthControlledScore.DefaultNeighbours} most similar rows";
            rule = ThresholdRule.Parse(options.Threshold);
        }
        var finite = final.Where(s => s.IsScored).Select(s => s.Score).ToList();
        var threshold = rule.Fit(finite);
        if (fallback is not null) threshold = threshold with { Method = $"{fallback}, then {threshold.Method}" };
        var flagged = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < final.Count; i++)
            if (final[i].IsScored && threshold.IsFlagged(final[i].Score)) flagged.Add(keys[i]);
        return new DatasetFit(threshold, flagged, scores.Count, finite.Count, outcome, groups, setAside);
    }

    /// <summary>SHA-256 (first 128 bits, hex) of the prompt and response text: how a fitted filter recognises a row.</summary>
    public static string RowKey(ReadOnlySpan<char> prompt, ReadOnlySpan<char> response)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(prompt) + 1 + Encoding.UTF8.GetByteCount(response)];
        var at = Encoding.UTF8.GetBytes(prompt, bytes);
        bytes[at++] = 0x1f; // a unit separator: ("ab", "c") and ("a", "bc") differ
        Encoding.UTF8.GetBytes(response, bytes.AsSpan(at));
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 16));
    }
}
