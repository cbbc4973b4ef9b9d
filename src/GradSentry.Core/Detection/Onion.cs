using System.Globalization;

namespace GradSentry.Detection;

/// <summary>
/// ONION (Qi et al., EMNLP 2021) as a row score. For each word w of a prompt, the suspicion
/// <c>f_w = PPL(prompt) − PPL(prompt without w)</c> under a language model (ours: the model being scanned); a rare
/// trigger word raises the perplexity, so deleting it lowers it. Row score, in [0, 1]: the largest scale-free drop
/// <c>max(0, 1 − PPL(without w) / PPL(prompt))</c>, each weighted by <c>1 − 1/n_w</c> where n_w is the number of rows of
/// the window whose prompt holds w (<see cref="WordSuspicion.Weighted"/>). The most suspicious words (by ONION's f) are
/// the trigger candidates.
/// </summary>
/// <remarks>
/// Why the weight: with the scanned model as the language model (not GPT-2 large, as in the paper), a row's largest drop
/// is as often a one-off name or number as a trigger. On the lab's design split the plain maximum ranked BadNets and CBA
/// rows at AUROC 0.63–0.74 (a planted trigger was still among the row's top three words in 97–100% of rows); weighting by
/// recurrence raised that to 0.90–0.99, because a backdoor plants its trigger in many rows. The price: a trigger word
/// used in one row of a window only scores 0.
/// </remarks>
/// <remarks>
/// <para>A word is deleted with every occurrence of it (a repeated trigger counts once and is removed whole). Words at least
/// <see cref="OnionOptions.TemplateFraction"/> of the window's rows share are template text and never deleted; of the
/// rest, at most <see cref="OnionOptions.MaxDeletions"/> are deleted per row: words other rows share first, the rarest
/// of them first (only a shared word can score), then words of this row alone (trigger candidates only). Every
/// perplexity of a window (each prompt and all its deletions) is asked for in one call, which the model batches. A row
/// depends only on the rows of its window, so a scan split into whole windows (shards) scores every row the same.</para>
/// </remarks>
public sealed class Onion
{
    readonly Func<IReadOnlyList<string>, double[]> _perplexity;

    /// <summary>Creates the detector over a perplexity function (one value per text, NaN when a text cannot be measured).</summary>
    public Onion(Func<IReadOnlyList<string>, double[]> perplexity, OnionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(perplexity);
        Options = options ?? new OnionOptions();
        Options.Validate();
        _perplexity = perplexity;
    }

    /// <summary>
    /// ONION's own threshold (<c>--threshold auto</c>): a row is flagged when its score is above 0.35. Chosen on the lab's
    /// design split (BadNets at 1–90%, CBA at 1–10%): the bar with the best mean F1 (0.72; 0.30, 0.33, 0.38 and 0.40 gave
    /// 0.61, 0.67, 0.69 and 0.67), where the KDE valley found no second mode on 21 of 25 datasets and fell back to 0.7
    /// (F1 at most 0.02 there). The score is a relative perplexity drop, so the bar does not depend on the model's
    /// perplexity scale; it was measured with the bundled model only.
    /// </summary>
    public const double FlagAbove = 0.35;

    /// <summary>The options.</summary>
    public OnionOptions Options { get; }

    /// <summary>What a reader is told about a row with fewer than two words.</summary>
    public static string TooFewWordsReason(int words) => string.Create(CultureInfo.InvariantCulture,
        $"ONION could not examine the row: the prompt has {words} word{(words == 1 ? "" : "s")}, and deleting a word must leave text to measure (scored 0; review it, or use another detector)");

    /// <summary>What a reader is told about a row whose every word is template text.</summary>
    public static string OnlyTemplateReason(double fraction) => string.Create(CultureInfo.InvariantCulture,
        $"ONION could not examine the row: every word of the prompt is template text shared by at least {fraction:P0} of the rows around it (scored 0; review it, or use another detector)");

    /// <summary>What a reader is told when the prompt's perplexity cannot be measured (too few tokens).</summary>
    public const string UnmeasurableReason = "ONION could not examine the row: the prompt is too short for the model to measure its perplexity (scored 0; review it, or use another detector)";

    /// <summary>Scores one window of prompts (the rows template words are counted over), in order.</summary>
    public OnionRow[] Score(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var words = prompts.Select(OnionWords.Split).ToList();
        var frequency = OnionWords.RowFrequency(words);
        var template = OnionWords.TemplateWords(words, Options.TemplateFraction);
        var texts = new List<string>();
        var plans = new (int First, string[] Deleted, string? Reason)[prompts.Count];
        for (var r = 0; r < prompts.Count; r++)
        {
            var rowWords = words[r];
            if (rowWords.Count < 2)
            {
                plans[r] = (-1, [], TooFewWordsReason(rowWords.Count));
                continue;
            }
            // Distinct non-template words: those other rows share first (only they can score), rarest first, then the
            // row's own words; ties by first position.
            var deleted = rowWords.Select((w, i) => (w.Word, Index: i)).DistinctBy(w => w.Word, StringComparer.Ordinal)
                .Where(w => !template.Contains(w.Word))
                .OrderBy(w => frequency[w.Word] < 2).ThenBy(w => frequency[w.Word]).ThenBy(w => w.Index)
                .Take(Options.MaxDeletions).Select(w => w.Word).ToArray();
            // Deleting the only distinct word (repeated) would leave nothing.
            if (deleted.Length == 0 || rowWords.All(w => deleted.Length == 1 && w.Word == deleted[0]))
            {
                plans[r] = (-1, [], deleted.Length == 0 ? OnlyTemplateReason(Options.TemplateFraction) : TooFewWordsReason(1));
                continue;
            }
            plans[r] = (texts.Count, deleted, null);
            texts.Add(prompts[r]);
            foreach (var w in deleted) texts.Add(OnionWords.Without(prompts[r], w));
        }

        var perplexities = texts.Count == 0 ? [] : _perplexity(texts);
        if (perplexities.Length != texts.Count)
            throw new InvalidOperationException($"the perplexity function returned {perplexities.Length} values for {texts.Count} texts.");
        var rows = new OnionRow[prompts.Count];
        for (var r = 0; r < rows.Length; r++)
        {
            var (first, deleted, reason) = plans[r];
            if (reason is not null)
            {
                rows[r] = OnionRow.Unexamined(reason);
                continue;
            }
            var full = perplexities[first];
            if (!double.IsFinite(full) || full <= 0)
            {
                rows[r] = OnionRow.Unexamined(UnmeasurableReason);
                continue;
            }
            var suspicions = new List<(WordSuspicion Word, int Order)>();
            for (var k = 0; k < deleted.Length; k++)
            {
                var without = perplexities[first + 1 + k];
                if (!double.IsFinite(without)) continue; // a deletion the model cannot measure says nothing
                suspicions.Add((new WordSuspicion(deleted[k], full - without, 1 - without / full, frequency[deleted[k]]), k));
            }
            var ordered = suspicions.OrderByDescending(s => s.Word.Suspicion).ThenBy(s => s.Order).Select(s => s.Word).ToList();
            var score = ordered.Count == 0 ? 0 : Math.Clamp(ordered.Max(s => s.Weighted), 0, 1);
            rows[r] = new OnionRow(score, full, ordered, deleted.Length, null);
        }
        return rows;
    }
}
