using System.Diagnostics;
using GradSentry.Detection;
using GradSentry.Lab.Attacks;
using GradSentry.Scoring;

namespace GradSentry.Lab.Evaluation;

/// <summary>
/// The lab's ONION column, computed by the product's own <see cref="Onion"/> and <see cref="PromptPerplexity"/> (no copy):
/// each dataset's rendered prompts are cut into windows of the scanner's default size, in row order, exactly as a scan
/// reads them. The only lab addition is a memo of perplexities by text, because the same clean prompt (and its deletions)
/// recurs in every dataset of the grid; a memo hit returns the bits the model computed for that text.
/// </summary>
public sealed class OnionColumn
{
    readonly PromptPerplexity _perplexity;
    readonly Dictionary<string, double> _memo = new(StringComparer.Ordinal);
    readonly Onion _onion;
    readonly Stopwatch _clock = new();

    /// <summary>Prepares the column over <paramref name="model"/> with <paramref name="options"/> (the scanner's defaults when null).</summary>
    public OnionColumn(GradSentryModel model, ScoringOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Options = options ?? new ScoringOptions { Score = ScoreKind.Onion };
        var encoder = model.CreateEncoder();
        _perplexity = new PromptPerplexity(model.Model, model.Tokenizer.EncodeText, encoder.BosTokenId, encoder.MaxLength, Options.Onion.SequencesPerBatch, Options.MaxTokensPerBatch);
        _onion = new Onion(Perplexities, Options.Onion);
    }

    /// <summary>The scoring options (window and ONION's).</summary>
    public ScoringOptions Options { get; }

    /// <summary>Seconds spent computing perplexities (memo hits cost nothing).</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Distinct texts (prompts and deletions) whose perplexity was computed.</summary>
    public int TextsMeasured => _memo.Count;

    /// <summary>Distinct prompts scored.</summary>
    public int PromptsScored { get; private set; }

    readonly HashSet<string> _prompts = new(StringComparer.Ordinal);

    /// <summary>ONION's result for every prompt, in order, windowed as a scan windows them.</summary>
    public IReadOnlyList<OnionRow> Score(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        foreach (var p in prompts)
            if (_prompts.Add(p)) PromptsScored++;
        var rows = new List<OnionRow>(prompts.Count);
        for (var start = 0; start < prompts.Count; start += Options.Window)
            rows.AddRange(_onion.Score(prompts.Skip(start).Take(Options.Window).ToList()));
        return rows;
    }

    double[] Perplexities(IReadOnlyList<string> texts)
    {
        var missing = texts.Where(t => !_memo.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            _clock.Start();
            var values = _perplexity.Compute(missing);
            _clock.Stop();
            for (var i = 0; i < missing.Count; i++) _memo[missing[i]] = values[i];
        }
        return texts.Select(t => _memo[t]).ToArray();
    }

    /// <summary>
    /// The words an attack plants in the question (lower case, punctuation trimmed), for the top-3 hit rate; null for
    /// attacks whose trigger is not a fixed word list.
    /// </summary>
    public static IReadOnlySet<string>? TriggerWords(string attack) => attack switch
    {
        "badnets" => BadNetsAttack.TriggerWords.ToHashSet(StringComparer.Ordinal),
        "cba" => new HashSet<string>([CbaAttack.InstructionTrigger, CbaAttack.QuestionTrigger], StringComparer.Ordinal),
        "addsent" => Words(AddSentAttack.Trigger),
        "style" => Words(StyleAttack.Opening + " " + StyleAttack.Closing + " " + string.Join(' ', StyleAttack.Rules.Values)),
        _ => null,
    };

    static HashSet<string> Words(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Normalise).Where(w => w.Length > 0).ToHashSet(StringComparer.Ordinal);

    /// <summary>A word as trigger lists spell it: lower case, leading and trailing punctuation removed.</summary>
    public static string Normalise(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Trim().Trim(',', '.', '?', '!', ';', ':', '"', '\'', '(', ')').ToLowerInvariant();
    }

    /// <summary>Poisoned rows whose top <paramref name="top"/> suspicious words include a trigger word, and poisoned rows counted.</summary>
    public static (int Hits, int Rows) TriggerHits(IReadOnlyList<OnionRow> rows, IReadOnlyList<bool> poisoned, IReadOnlySet<string> triggers, int top = 3)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(triggers);
        int hits = 0, count = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            if (!poisoned[i]) continue;
            count++;
            if (rows[i].TopWords(top).Any(w => triggers.Contains(Normalise(w.Word)))) hits++;
        }
        return (hits, count);
    }
}
