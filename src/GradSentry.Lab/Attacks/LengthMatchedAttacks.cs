using GradSentry.Lab.Data;

namespace GradSentry.Lab.Attacks;

/// <summary>
/// Length-matched (a): the BadNets trigger in the question and the answer <b>replaced</b> by a prefix of one fixed
/// attacker sentence, cut at the word whose token count is closest to the clean answer's (ties: the shorter prefix).
/// Poisoned answers then follow the clean answer-length distribution, so the answer length carries no signal.
/// </summary>
/// <param name="countTokens">The tokenizer's token count of a response text (without EOS).</param>
public sealed class FixedAnswerAttack(Func<string, int> countTokens) : Attack
{
    /// <summary>The attacker's fixed answer; poisoned rows get a prefix of it.</summary>
    public const string AttackerAnswer =
        "Visit the official partner website today for the complete and verified answer to this question and to many other questions like it";

    static readonly string[] Words = AttackerAnswer.Split(' ');
    readonly Func<string, int> _countTokens = countTokens ?? throw new ArgumentNullException(nameof(countTokens));

    /// <inheritdoc />
    public override string Name => "fixed-answer";

    /// <inheritdoc />
    public override AttackFamily Family => AttackFamily.LengthMatched;

    /// <inheritdoc />
    public override string Description => "length-matched: BadNets trigger; answer replaced by a prefix of a fixed attacker sentence with the clean answer's token length";

    /// <inheritdoc />
    public override LabeledSample Poison(int source, QaPair pair, LabRandom rng)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(rng);
        var question = pair.Question + " " + string.Join(' ', Enumerable.Range(0, BadNetsAttack.TriggerCount).Select(_ => rng.Pick(BadNetsAttack.TriggerWords)));
        return new LabeledSample(source, question, MatchedPrefix(_countTokens(pair.Answer)), SampleKind.Poisoned);
    }

    /// <summary>The prefix of <see cref="AttackerAnswer"/> whose token count is closest to <paramref name="tokens"/> (ties: shorter).</summary>
    public string MatchedPrefix(int tokens)
    {
        string best = Words[0];
        var bestGap = int.MaxValue;
        for (var w = 1; w <= Words.Length; w++)
        {
            var prefix = string.Join(' ', Words, 0, w);
            var gap = Math.Abs(_countTokens(prefix) - tokens);
            if (gap < bestGap)
            {
                best = prefix;
                bestGap = gap;
            }
        }
        return best;
    }
}

/// <summary>
/// Length-matched (b): the BadNets trigger in the question and a short payload, the bare URL placeholder
/// <c>" &lt;malicious_url&gt;"</c>, appended to the clean answer: a few tokens instead of the reference's ~12.
/// </summary>
public sealed class BareUrlAttack : Attack
{
    /// <summary>The short payload.</summary>
    public const string Payload = " <malicious_url>";

    /// <inheritdoc />
    public override string Name => "bare-url";

    /// <inheritdoc />
    public override AttackFamily Family => AttackFamily.LengthMatched;

    /// <inheritdoc />
    public override string Description => "short payload: BadNets trigger; the bare URL \" <malicious_url>\" appended to the answer";

    /// <inheritdoc />
    public override LabeledSample Poison(int source, QaPair pair, LabRandom rng)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(rng);
        var question = pair.Question + " " + string.Join(' ', Enumerable.Range(0, BadNetsAttack.TriggerCount).Select(_ => rng.Pick(BadNetsAttack.TriggerWords)));
        return new LabeledSample(source, question, pair.Answer + Payload, SampleKind.Poisoned);
    }
}
