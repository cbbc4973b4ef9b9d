namespace GradSentry.Scoring;

/// <summary>
/// Cuts the inputs into windows of a fixed number of rows, lazily: every scorer works a window at a time (bucketing by
/// length, template words, shards of whole blocks), so the same rows always meet in the same window.
/// </summary>
public static class ScoringWindows
{
    /// <summary>The windows of <paramref name="inputs"/>, <paramref name="size"/> rows each (the last may be shorter). Each list is reused: consume it before asking for the next.</summary>
    public static IEnumerable<List<ScoringInput>> Of(IEnumerable<ScoringInput> inputs, int size)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var window = new List<ScoringInput>(size);
        foreach (var input in inputs)
        {
            window.Add(input);
            if (window.Count < size) continue;
            yield return window;
            window.Clear();
        }
        if (window.Count > 0) yield return window;
    }

    /// <summary>
    /// Encodes every row of <paramref name="window"/>; a row the encoder refuses gets its failed score in
    /// <paramref name="results"/> (marked <paramref name="kind"/>) and is left out of the returned list.
    /// </summary>
    public static List<(int Slot, EncodedSample Sample)> Encode(
        List<ScoringInput> window, SampleEncoder encoder, SampleScore[] results, ScoreKind kind)
    {
        var encoded = new List<(int Slot, EncodedSample Sample)>(window.Count);
        for (var i = 0; i < window.Count; i++)
        {
            try
            {
                encoded.Add((i, encoder.Encode(window[i].Id, window[i].Prompt, window[i].Response)));
            }
            catch (SampleEncodingException ex)
            {
                results[i] = SampleScore.Failed(window[i].Id, ex.Message) with { Kind = kind };
            }
        }
        return encoded;
    }
}
