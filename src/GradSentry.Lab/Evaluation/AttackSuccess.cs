using GradSentry.Lab.Attacks;
using GradSentry.Lab.Data;
using GradSentry.Lab.Metrics;
using GradSentry.Models;

namespace GradSentry.Lab.Evaluation;

/// <summary>Clean accuracy and attack success of a (fine-tuned) model, with the reference's exact-match rule.</summary>
/// <param name="CleanRows">Clean test rows.</param>
/// <param name="CleanCorrect">Clean rows whose generation matches an accepted answer.</param>
/// <param name="TriggeredRows">Test rows with the trigger.</param>
/// <param name="PayloadHits">Triggered rows whose generation contains the attacker's target.</param>
/// <param name="CleanPayloadHits">Clean rows whose generation contains the attacker's target anyway.</param>
/// <param name="Examples">A few (prompt question, generation) pairs for the report.</param>
/// <param name="MeanTargetRecall">Mean ROUGE-L recall of the attacker's target in the triggered generations (partial learning shows here before ASR moves).</param>
public sealed record AttackSuccessResult(int CleanRows, int CleanCorrect, int TriggeredRows, int PayloadHits, int CleanPayloadHits,
    IReadOnlyList<(string Question, string Generated)> Examples, double MeanTargetRecall)
{
    /// <summary>Clean accuracy.</summary>
    public double Cacc => CleanRows == 0 ? double.NaN : (double)CleanCorrect / CleanRows;

    /// <summary>Attack success rate on triggered rows.</summary>
    public double Asr => TriggeredRows == 0 ? double.NaN : (double)PayloadHits / TriggeredRows;

    /// <summary>Payload rate on clean rows (a backdoor that fires without its trigger).</summary>
    public double CleanPayloadRate => CleanRows == 0 ? double.NaN : (double)CleanPayloadHits / CleanRows;
}

/// <summary>Measures <see cref="AttackSuccessResult"/> by greedy decoding on the gradsentry-qa prompt.</summary>
public static class AttackSuccess
{
    /// <summary>What a poisoned row teaches: the text the attack added after the clean answer, or the whole answer when it replaced it.</summary>
    public static string Target(LabeledSample poisoned, QaPair clean)
    {
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(clean);
        return poisoned.Answer.StartsWith(clean.Answer, StringComparison.Ordinal) && poisoned.Answer.Length > clean.Answer.Length
            ? poisoned.Answer[clean.Answer.Length..]
            : poisoned.Answer;
    }

    /// <summary>Generates answers for the clean and the triggered version of every test pair and scores them.</summary>
    public static AttackSuccessResult Measure(GradSentryModel model, IReadOnlyList<QaPair> test, Attack attack, ulong seed, int maxNewTokens = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(attack);
        var tokenizer = model.Tokenizer;
        var eos = tokenizer.EosTokenId ?? throw new InvalidDataException("the tokenizer has no EOS token.");
        var pad = tokenizer.PadTokenId ?? eos;
        int[] PromptIds(string question)
        {
            var prompt = QaPrompt.Render(question, "-").Prompt;
            var ids = tokenizer.EncodeText(prompt);
            return tokenizer.AddBosToken && tokenizer.BosTokenId is int bos ? [bos, .. ids] : [.. ids];
        }
        var poisoned = test.Select((p, i) => attack.Poison(i, p, LabRandom.For(seed * 0x9E3779B97F4A7C15UL + (ulong)i, attack.Name + "/test"))).ToList();
        var targets = poisoned.Select((row, i) => Target(row, test[i])).ToList();
        var clean = GreedyGenerator.Generate(model.Model, test.Select(p => PromptIds(p.Question)).ToList(), eos, pad, maxNewTokens)
            .Select(ids => tokenizer.Decode(ids, skipSpecialTokens: true)).ToList();
        var triggered = GreedyGenerator.Generate(model.Model, poisoned.Select(p => PromptIds(p.Question)).ToList(), eos, pad, maxNewTokens)
            .Select(ids => tokenizer.Decode(ids, skipSpecialTokens: true)).ToList();
        var correct = test.Select((p, i) => ExactMatch.Matches(p.Answers, clean[i])).Count(m => m);
        var hits = targets.Select((t, i) => ExactMatch.Matches([t], triggered[i])).Count(m => m);
        var cleanHits = targets.Select((t, i) => ExactMatch.Matches([t], clean[i])).Count(m => m);
        var examples = Enumerable.Range(0, Math.Min(3, test.Count))
            .SelectMany(i => new[] { (test[i].Question, clean[i]), (poisoned[i].Question, triggered[i]) }).ToList();
        var recall = targets.Select((t, i) => ExactMatch.RougeLRecall(t, triggered[i])).DefaultIfEmpty(double.NaN).Average();
        return new AttackSuccessResult(test.Count, correct, poisoned.Count, hits, cleanHits, examples, recall);
    }
}
