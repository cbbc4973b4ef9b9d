namespace GradSentry.Lab.Metrics;

/// <summary>Answer-length buckets (T = answer tokens + EOS) for stratified metrics.</summary>
public static class LengthBuckets
{
    /// <summary>Inclusive lower bounds of the buckets.</summary>
    static readonly int[] Lower = [0, 4, 7, 11, 17];

    /// <summary>Bucket labels, in order.</summary>
    public static IReadOnlyList<string> Labels { get; } = ["T<=3", "T=4-6", "T=7-10", "T=11-16", "T>=17"];

    /// <summary>The bucket index of <paramref name="answerTokens"/>.</summary>
    public static int Of(int answerTokens)
    {
        for (var b = Lower.Length - 1; b > 0; b--)
            if (answerTokens >= Lower[b]) return b;
        return 0;
    }
}
