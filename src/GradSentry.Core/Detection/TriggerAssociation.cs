using System.Globalization;
using System.Numerics.Tensors;

namespace GradSentry.Detection;

/// <summary>
/// The trigger-conditional verdict. A backdoor is an association: the same unusual answer-side behaviour is taught only
/// when a prompt-side feature (the trigger) is present. For every prompt word carried by enough rows, the test takes the
/// direction its rows' gradient sketches share, counts which rows of the whole dataset show that behaviour (cosine to the
/// direction at least one of <see cref="TriggerAssociationOptions.MemberCosines"/>), and asks whether the behaviour is far more
/// common with the word than without it: a one-sided Fisher exact test, Bonferroni-corrected over all words tested, plus
/// an odds-ratio and coverage floor. Repeated boilerplate shows a behaviour but no word predicts it; a natural question
/// word predicts an answer type, but answers of one type do not share a direction the way a payload does.
/// </summary>
/// <remarks>
/// Cost: each tested word sums its rows' sketches (the total is the prompt words of all rows times the sketch size);
/// only words whose own rows already share a direction get a pass over the whole dataset, and directions within cosine
/// 0.9 of one already measured reuse it. Memory: the sketches (which the scan holds anyway) and one float per row per
/// measured direction.
/// </remarks>
public static class TriggerAssociation
{
    /// <summary>Rows scoring above this are flagged (the detector's own rule).</summary>
    public const double FlagAbove = 0.5;

    /// <summary>Trigger words whose behaviours are at least this close are one backdoor group.</summary>
    const float SameBehaviourCosine = 0.8f;

    /// <summary>Directions closer than this reuse the measurement of the first.</summary>
    const double SameDirection = 0.9;

    /// <summary>Tests <paramref name="rows"/> (null for rows that were not scored).</summary>
    /// <exception cref="ArgumentException">Fewer scored rows than <see cref="TriggerAssociationOptions.MinRows"/>, sketches of different sizes, or an invalid option.</exception>
    public static AssociationVerdict Run(IReadOnlyList<AssociationRow?> rows, WordVocabulary vocabulary, TriggerAssociationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(vocabulary);
        options ??= new TriggerAssociationOptions();
        options.Validate();
        // Verbatim repeats of one row (same prompt and answer words) count once: ten copies of a question with a rare
        // word are duplication, not a trigger taught across different questions. Copies share their original's verdict.
        var firstCopy = new Dictionary<RowKey, int>();
        var copyOf = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            copyOf[i] = i;
            if (rows[i] is { } row && !firstCopy.TryAdd(new RowKey(row), i)) copyOf[i] = firstCopy[new RowKey(row)];
        }
        var distinct = rows.Select((r, i) => copyOf[i] == i ? r : null).ToList();
        var verdict = RunDistinct(distinct, vocabulary, options);
        if (firstCopy.Count == rows.Count(r => r is not null)) return verdict;
        var scores = verdict.Scores.ToArray();
        var flags = verdict.Flags.ToArray();
        var groups = verdict.RowGroups.ToArray();
        for (var i = 0; i < rows.Count; i++)
            if (copyOf[i] != i)
                (scores[i], flags[i], groups[i]) = (scores[copyOf[i]], flags[copyOf[i]], groups[copyOf[i]]);
        var resized = verdict.Groups.Select(g => g with { Rows = groups.Count(x => x == g.Number) }).ToList();
        return verdict with { Scores = scores, Flags = flags, RowGroups = groups, Groups = resized, Outcome = Outcome(resized, verdict.WordsTested, verdict.SetAside) };
    }

    /// <summary>Rows with the same prompt and answer words.</summary>
    readonly record struct RowKey(AssociationRow Row)
    {
        public bool Equals(RowKey other) => Row.PromptWords.AsSpan().SequenceEqual(other.Row.PromptWords) && Row.AnswerWords.AsSpan().SequenceEqual(other.Row.AnswerWords);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var w in Row.PromptWords) hash.Add(w);
            hash.Add(-1);
            foreach (var w in Row.AnswerWords) hash.Add(w);
            return hash.ToHashCode();
        }
    }

    static string Outcome(List<BackdoorGroup> groups, int wordsTested, IReadOnlyList<BackdoorGroup> setAside)
    {
        var verdict = groups.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"no backdoor: none of {wordsTested} prompt words predicts a shared answer-side behaviour")
            : string.Create(CultureInfo.InvariantCulture, $"{groups.Count} backdoor group{(groups.Count == 1 ? "" : "s")}: ") +
              string.Join("; ", groups.Select(e => $"{e.Rows} rows triggered by {string.Join(", ", e.Triggers.Take(3).Select(t => $"'{t.Word}'"))}"));
        if (setAside.Count == 0) return verdict;
        var examples = string.Join("; ", setAside.OrderByDescending(g => g.Rows).Take(3).Select(g =>
            $"'{g.Triggers[0].Word}' → {string.Join(" ", g.AnswerWords.Take(3).Select(a => $"'{a.Word}'"))} ({g.Rows} rows)"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{verdict}; not flagged: {setAside.Count} groups that each repeat their answers, as a dataset asking each fact several ways does ({examples}{(setAside.Count > 3 ? "; …" : "")}), {setAside.Sum(g => g.Rows)} rows");
    }

    static AssociationVerdict RunDistinct(List<AssociationRow?> rows, WordVocabulary vocabulary, TriggerAssociationOptions options)
    {
        var index = Enumerable.Range(0, rows.Count).Where(i => rows[i] is not null).ToArray();
        var n = index.Length;
        if (n < options.MinRows)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the trigger-association test needs at least {options.MinRows} distinct scored rows to compare rows with and without a word; {n} were scored."));
        var p = rows[index[0]]!.Sketch.Length;
        var units = new UnitSketches(index.Select(i => rows[i]!.Sketch).ToArray(), p);

        // Postings: scored rows (0..n-1) of each prompt word, ascending.
        var postings = new Dictionary<int, List<int>>();
        for (var k = 0; k < n; k++)
            foreach (var w in rows[index[k]]!.PromptWords)
            {
                if (!postings.TryGetValue(w, out var list)) postings.Add(w, list = []);
                list.Add(k);
            }
        var tested = postings.Where(kv => kv.Value.Count >= options.MinSupport && kv.Value.Count < n).OrderBy(kv => kv.Key).ToList();
        // How many rows carry each answer word: a behaviour is a backdoor's only if its rows visibly share answer text.
        var answerFrequency = new Dictionary<int, int>();
        for (var k = 0; k < n; k++)
            foreach (var w in rows[index[k]]!.AnswerWords)
                answerFrequency[w] = answerFrequency.GetValueOrDefault(w) + 1;
        // Bonferroni over every (word, cosine bar) pair tried.
        var logAlpha = Math.Log(options.FamilyWiseAlpha / Math.Max(1, tested.Count * options.MemberCosines.Count));
        var tail = new HypergeometricTail(n);

        var directions = new List<Direction>();
        var significant = new List<Association>();
        var score = new double[n];
        foreach (var (word, support) in tested)
        {
            var m = support.Count;
            var sum = units.Sum(support);
            var direction = Normalized(sum);
            // A row's own sketch is part of its word's direction, which would put every row of a rare word above any
            // cosine bar (three orthogonal rows have cosine 0.58 to their mean): the word's rows are measured
            // leave-one-out, against the direction of the word's other rows.
            var leaveOneOut = support.ToDictionary(k => k, k => units.LeaveOneOutCosine(k, sum));
            // Even if no row outside the word showed the behaviour, could the test reach significance at some bar? If not, skip the pass.
            var promising = options.MemberCosines.Any(bar =>
            {
                var inner = leaveOneOut.Values.Count(c => c >= bar);
                return inner >= options.MinSupport && inner >= options.MinCoverage * m && tail.LogUpperTail(n, inner, m, inner) <= logAlpha;
            });
            if (!promising) continue;
            var measured = directions.FirstOrDefault(d => TensorPrimitives.Dot(d.Vector, direction) >= SameDirection)
                           ?? Measure(directions, direction, units, leaveOneOut);
            // The bar that makes the association strongest: tight payloads separate at a high bar, paraphrased ones and
            // a poisoned majority at a lower one.
            Association? best = null;
            foreach (var bar in options.MemberCosines)
            {
                var members = measured.Members(bar);
                var a = support.Count(k => measured.Cosines[k] >= bar);
                var b = members - a;
                var logP = tail.LogUpperTail(n, members, m, a);
                var odds = (a + 0.5) / (m - a + 0.5) / ((b + 0.5) / (n - m - b + 0.5));
                var isTrigger = logP <= logAlpha && odds >= options.MinOddsRatio && a >= options.MinCoverage * m && a >= options.MinSupport
                                && SharesAnswerWord(support.Where(k => measured.Cosines[k] >= bar).ToList(), measured.Cosines.Select(c => c >= bar).ToArray(), rows, index, answerFrequency, options)
                                && !NearDuplicates(support.Where(k => measured.Cosines[k] >= bar).ToList(), rows, index, postings, n, options);
                var candidate = new Association(word, measured, logP, bar, members, isTrigger);
                if (best is null || (candidate.IsTrigger, -candidate.LogP).CompareTo((best.IsTrigger, -best.LogP)) > 0) best = candidate;
            }
            var strength = Math.Clamp(best!.LogP / logAlpha, 0, 1);
            foreach (var k in support)
            {
                var c = measured.Cosines[k];
                // Rows above 0.5 are exactly the flagged ones: a trigger word's rows that show its behaviour.
                var value = best.IsTrigger && c >= best.Bar ? 0.5 + 0.5 * c : 0.5 * strength * Math.Max(0, c) * (best.IsTrigger ? best.Bar : 1);
                if (value > score[k]) score[k] = Math.Min(1, value);
            }
            if (best.IsTrigger) significant.Add(best);
        }

        var (kept, repeated) = SetAsideRepeatedAnswers(Group(significant, postings), rows, index, options);
        var extensionFamily = ExtendToFurtherTriggers(kept, postings, rows, index, answerFrequency, tail, n, options, score);
        var ordered = kept.OrderByDescending(g => g.RowSet.Count).ThenBy(g => g.RowSet.Min()).ToList();
        var groupOf = new int[n];
        for (var g = 0; g < ordered.Count; g++)
            foreach (var k in ordered[g].RowSet)
                if (groupOf[k] == 0) groupOf[k] = g + 1;
        var evidence = ordered.Select((g, i) => Describe(i + 1, g, rows, index, postings, vocabulary, n)).ToList();
        var setAside = repeated.OrderByDescending(g => g.RowSet.Count).ThenBy(g => g.RowSet.Min()).Select(g => Describe(0, g, rows, index, postings, vocabulary, n)).ToList();
        // Score above 0.5 means flagged. Rows of groups set aside as repeated answers are halved into (0.25, 0.5], not
        // cut to 0.5: they keep their order, so a top-fraction threshold or a ranking metric still sees it (ties would hide it).
        for (var k = 0; k < n; k++)
            if (groupOf[k] == 0 && score[k] > FlagAbove) score[k] *= FlagAbove;

        var scores = Enumerable.Repeat(double.NaN, rows.Count).ToArray();
        var rowFlags = new bool[rows.Count];
        var rowGroups = new int[rows.Count];
        for (var k = 0; k < n; k++)
        {
            scores[index[k]] = score[k];
            rowFlags[index[k]] = groupOf[k] > 0;
            rowGroups[index[k]] = groupOf[k];
        }
        return new AssociationVerdict(scores, rowFlags, evidence, rowGroups, tested.Count + extensionFamily, Outcome(evidence, tested.Count, setAside), setAside);
    }

    /// <summary>
    /// Groups whose rows repeat their answers ("egypt" → "Arabic", see <see cref="RepeatsAnswers"/>) are what a dataset that
    /// asks each fact several ways looks like, and a word that names an entity does predict its answer. When the data holds at least
    /// <see cref="TriggerAssociationOptions.RepeatedAnswerGroups"/> such groups, they are its own background: a one-answer
    /// group stays a backdoor only when it is at least <see cref="TriggerAssociationOptions.RepeatedAnswerOutlier"/> times
    /// the median one-answer group (a fixed attacker answer taught on many rows still stands out). Groups whose answers
    /// differ around a shared payload are never set aside.
    /// </summary>
    static (List<RowGroup> Kept, List<RowGroup> SetAside) SetAsideRepeatedAnswers(List<RowGroup> groups, List<AssociationRow?> rows, int[] index,
        TriggerAssociationOptions options)
    {
        var oneAnswer = groups.Where(g => RepeatsAnswers(g.RowSet, rows, index, options)).ToList();
        if (oneAnswer.Count < options.RepeatedAnswerGroups) return (groups, []);
        var sizes = oneAnswer.Select(g => g.RowSet.Count).Order().ToList();
        var median = sizes.Count % 2 == 1 ? sizes[sizes.Count / 2] : 0.5 * (sizes[sizes.Count / 2 - 1] + sizes[sizes.Count / 2]);
        var setAside = oneAnswer.Where(g => g.RowSet.Count < options.RepeatedAnswerOutlier * median).ToHashSet();
        return (groups.Where(g => !setAside.Contains(g)).ToList(), groups.Where(setAside.Contains).ToList());
    }

    /// <summary>
    /// True when the group's rows repeat whole answers: half of them give one answer, or there are at least
    /// <see cref="TriggerAssociationOptions.RepeatedAnswerRatio"/> rows per distinct answer.
    /// </summary>
    static bool RepeatsAnswers(HashSet<int> group, List<AssociationRow?> rows, int[] index, TriggerAssociationOptions options)
    {
        var answers = group.GroupBy(k => string.Join(',', rows[index[k]]!.AnswerWords)).Select(a => a.Count()).ToList();
        return answers.Max() * 2 >= group.Count || group.Count >= options.RepeatedAnswerRatio * answers.Count;
    }

    /// <summary>
    /// One payload is often taught by several trigger words, each on a few rows (BadNets' rare tokens), too few to pass the
    /// test over every word on their own. Once a group's behaviour is established, the rows that show it outside the group
    /// are tested again, only for the words they carry: the same Fisher test, odds, coverage, answer-word and
    /// near-duplicate rules, over the rows not yet flagged, Bonferroni-corrected over this smaller family at the same
    /// α. Returns the family's size (added to the words tested).
    /// </summary>
    static int ExtendToFurtherTriggers(List<RowGroup> groups, Dictionary<int, List<int>> postings, List<AssociationRow?> rows, int[] index,
        Dictionary<int, int> answerFrequency, HypergeometricTail tail, int n, TriggerAssociationOptions options, double[] score)
    {
        if (groups.Count == 0) return 0;
        var flagged = groups.SelectMany(g => g.RowSet).ToHashSet();
        var candidates = new List<(RowGroup Group, bool[] Behaviour, List<int> Residual, int Word)>();
        foreach (var g in groups)
        {
            var behaviour = new bool[n];
            for (var k = 0; k < n; k++) behaviour[k] = g.Words.Any(w => w.Direction.Cosines[k] >= w.Bar);
            var residual = Enumerable.Range(0, n).Where(k => behaviour[k] && !flagged.Contains(k)).ToList();
            if (residual.Count < options.MinSupport) continue;
            var inGroupWords = g.Words.Select(w => w.Word).ToHashSet();
            var counts = new Dictionary<int, int>();
            foreach (var k in residual)
                foreach (var w in rows[index[k]]!.PromptWords)
                    counts[w] = counts.GetValueOrDefault(w) + 1;
            foreach (var (word, count) in counts.OrderBy(kv => kv.Key))
                if (count >= options.MinSupport && postings[word].Count < n && !inGroupWords.Contains(word))
                    candidates.Add((g, behaviour, residual, word));
        }
        if (candidates.Count == 0) return 0;
        var logAlpha = Math.Log(options.FamilyWiseAlpha / candidates.Count);
        foreach (var (g, behaviour, residual, word) in candidates)
        {
            var population = n - flagged.Count;
            var support = postings[word].Where(k => !flagged.Contains(k)).ToList();
            var members = residual.Count(k => !flagged.Contains(k));
            var hits = support.Where(k => behaviour[k]).ToList();
            var (m, a, b) = (support.Count, hits.Count, members - hits.Count);
            if (a < options.MinSupport || a < options.MinCoverage * m) continue;
            var logP = tail.LogUpperTail(population, members, m, a);
            var odds = (a + 0.5) / (m - a + 0.5) / ((b + 0.5) / (population - m - b + 0.5));
            if (logP > logAlpha || odds < options.MinOddsRatio
                || !SharesAnswerWord(hits, behaviour, rows, index, answerFrequency, options)
                || NearDuplicates(hits, rows, index, postings, n, options)) continue;
            var strongest = g.Words.OrderBy(w => w.LogP).First();
            g.Add(new Association(word, strongest.Direction, logP, strongest.Bar, members, IsTrigger: true), [.. hits]);
            foreach (var k in hits)
            {
                flagged.Add(k);
                var c = g.Words.Max(w => w.Direction.Cosines[k]);
                score[k] = Math.Max(score[k], Math.Min(1, 0.5 + 0.5 * Math.Max(0, c)));
            }
        }
        return candidates.Count;
    }

    /// <summary>
    /// True when the group is one question asked several ways with one answer: at least half of its rows have the same
    /// answer words, and the mean pairwise Jaccard overlap of their prompt words (words carried by half of all rows or
    /// more, such as a template, left out) is at least <see cref="TriggerAssociationOptions.MaxPromptOverlap"/>. A
    /// trigger is added to different questions: even a fixed attacker answer comes with unrelated prompts. At most 200
    /// rows are compared.
    /// </summary>
    static bool NearDuplicates(List<int> group, List<AssociationRow?> rows, int[] index, Dictionary<int, List<int>> postings, int n,
        TriggerAssociationOptions options)
    {
        if (group.Count < 2) return false;
        var commonest = group.GroupBy(k => string.Join(',', rows[index[k]]!.AnswerWords)).Max(g => g.Count());
        if (commonest < 0.5 * group.Count) return false;
        var sample = group.Take(200).Select(k => rows[index[k]]!.PromptWords.Where(w => postings[w].Count * 2 < n).ToHashSet()).ToList();
        double total = 0;
        var pairs = 0;
        for (var i = 0; i < sample.Count; i++)
            for (var j = i + 1; j < sample.Count; j++)
            {
                var shared = sample[i].Count(sample[j].Contains);
                var union = sample[i].Count + sample[j].Count - shared;
                total += union == 0 ? 1 : (double)shared / union;
                pairs++;
            }
        return total / pairs >= options.MaxPromptOverlap;
    }

    /// <summary>
    /// True when some answer word occurs in at least <see cref="TriggerAssociationOptions.MinAnswerWordShare"/> of
    /// <paramref name="group"/> and at least <see cref="TriggerAssociationOptions.MinAnswerWordLift"/> times as often as in
    /// the rows that do not show the behaviour (<paramref name="behaviour"/> false). A payload or a fixed target does;
    /// answers that merely resemble each other to the model (dates after "when", names after "who", which a model that has
    /// seen the data can make look alike) do not.
    /// </summary>
    static bool SharesAnswerWord(List<int> group, bool[] behaviour, List<AssociationRow?> rows, int[] index,
        Dictionary<int, int> answerFrequency, TriggerAssociationOptions options)
    {
        if (group.Count == 0) return false;
        var counts = new Dictionary<int, int>();
        foreach (var k in group)
            foreach (var w in rows[index[k]]!.AnswerWords)
                counts[w] = counts.GetValueOrDefault(w) + 1;
        var shared = counts.Where(kv => (double)kv.Value / group.Count >= options.MinAnswerWordShare).Select(kv => kv.Key).ToHashSet();
        if (shared.Count == 0) return false;
        var inBehaviour = shared.ToDictionary(w => w, _ => 0);
        var behaviourRows = 0;
        for (var k = 0; k < behaviour.Length; k++)
        {
            if (!behaviour[k]) continue;
            behaviourRows++;
            foreach (var w in rows[index[k]]!.AnswerWords)
                if (inBehaviour.TryGetValue(w, out var c)) inBehaviour[w] = c + 1;
        }
        var others = behaviour.Length - behaviourRows;
        foreach (var word in shared)
        {
            var share = (double)counts[word] / group.Count;
            var outsideShare = others == 0 ? 0 : (double)(answerFrequency[word] - inBehaviour[word]) / others;
            if (share >= options.MinAnswerWordLift * outsideShare) return true;
        }
        return false;
    }


    static Direction Measure(List<Direction> directions, float[] vector, UnitSketches units, Dictionary<int, float> own)
    {
        var cosines = new float[units.Count];
        for (var k = 0; k < units.Count; k++)
            cosines[k] = own.TryGetValue(k, out var c) ? c : units.Dot(k, vector);
        var d = new Direction(vector, cosines);
        directions.Add(d);
        return d;
    }

    /// <summary>
    /// Trigger words whose flagged rows overlap (by half of the smaller set), or whose behaviours point the same way
    /// (cosine at least <see cref="SameBehaviourCosine"/>: one payload taught by several words), are one backdoor.
    /// </summary>
    static List<RowGroup> Group(List<Association> significant, Dictionary<int, List<int>> postings)
    {
        var groups = new List<RowGroup>();
        foreach (var s in significant)
        {
            var rows = postings[s.Word].Where(k => s.Direction.Cosines[k] >= s.Bar).ToHashSet();
            var into = groups.FirstOrDefault(g => g.Overlap(rows) * 2 >= Math.Min(g.RowSet.Count, rows.Count) || g.SameBehaviour(s.Direction));
            if (into is null) groups.Add(new RowGroup(s, rows));
            else into.Add(s, rows);
        }
        // Merging can make two groups overlap; repeat until stable (few groups: cheap).
        bool merged;
        do
        {
            merged = false;
            for (var i = 0; i < groups.Count && !merged; i++)
                for (var j = i + 1; j < groups.Count && !merged; j++)
                    if (groups[i].Overlap(groups[j].RowSet) * 2 >= Math.Min(groups[i].RowSet.Count, groups[j].RowSet.Count)
                        || groups[j].Words.Any(w => groups[i].SameBehaviour(w.Direction)))
                    {
                        groups[i].Absorb(groups[j]);
                        groups.RemoveAt(j);
                        merged = true;
                    }
        } while (merged);
        return groups;
    }

    static BackdoorGroup Describe(int number, RowGroup group, List<AssociationRow?> rows, int[] index, Dictionary<int, List<int>> postings,
        WordVocabulary vocabulary, int n)
    {
        var inGroup = group.RowSet;
        var triggers = group.Words.OrderBy(w => w.LogP).ThenBy(w => w.Word)
            .Select(w =>
            {
                var inside = postings[w.Word].Count(inGroup.Contains);
                return new WordEvidence(vocabulary[w.Word], inside, postings[w.Word].Count - inside);
            }).ToList();
        var answerCounts = new Dictionary<int, (int In, int Out)>();
        for (var k = 0; k < n; k++)
            foreach (var w in rows[index[k]]!.AnswerWords)
            {
                answerCounts.TryGetValue(w, out var c);
                answerCounts[w] = inGroup.Contains(k) ? (c.In + 1, c.Out) : (c.In, c.Out + 1);
            }
        var size = inGroup.Count;
        var answers = answerCounts.Where(kv => kv.Value.In * 2 >= size)
            .OrderByDescending(kv => (double)kv.Value.In / size - (double)kv.Value.Out / Math.Max(1, n - size)).ThenBy(kv => kv.Key)
            .Take(8).Select(kv => new WordEvidence(vocabulary[kv.Key], kv.Value.In, kv.Value.Out)).ToList();
        return new BackdoorGroup(number, size, triggers, answers, group.Words.Max(w => w.Members), group.Words.Min(w => w.LogP));
    }

    static float[] Normalized(float[] v)
    {
        var norm = TensorPrimitives.Norm(v);
        var result = new float[v.Length];
        if (norm > 0 && float.IsFinite(norm)) TensorPrimitives.Divide(v, norm, result);
        return result;
    }

    /// <summary>
    /// The rows' sketches as unit vectors without a normalised copy (the sketches are the scan's largest per-row data):
    /// each product is scaled by the row's inverse norm. A zero sketch is the zero vector.
    /// </summary>
    sealed class UnitSketches
    {
        readonly float[][] _sketches;
        readonly float[] _inverseNorm;
        readonly int _size;

        public UnitSketches(float[][] sketches, int size)
        {
            _sketches = sketches;
            _size = size;
            _inverseNorm = new float[sketches.Length];
            for (var k = 0; k < sketches.Length; k++)
            {
                if (sketches[k].Length != size) throw new ArgumentException($"sketches differ in length ({size} vs {sketches[k].Length}).", nameof(sketches));
                var norm = TensorPrimitives.Norm(sketches[k]);
                _inverseNorm[k] = norm > 0 && float.IsFinite(norm) ? 1 / norm : 0;
            }
        }

        public int Count => _sketches.Length;

        /// <summary>Unit row <paramref name="k"/> · <paramref name="vector"/>.</summary>
        public float Dot(int k, float[] vector) => TensorPrimitives.Dot(_sketches[k], vector) * _inverseNorm[k];

        /// <summary>The sum of the unit rows <paramref name="rows"/>.</summary>
        public float[] Sum(List<int> rows)
        {
            var sum = new float[_size];
            foreach (var k in rows) TensorPrimitives.MultiplyAdd(_sketches[k], _inverseNorm[k], sum, sum);
            return sum;
        }

        /// <summary>Cosine of unit row <paramref name="k"/> with <c>sum − u_k</c> (the direction of the other rows).</summary>
        public float LeaveOneOutCosine(int k, float[] sum)
        {
            var self = _inverseNorm[k] > 0 ? 1f : 0f;
            var dot = Dot(k, sum);
            var rest = TensorPrimitives.Dot(sum, sum) - 2 * dot + self;
            return rest <= 1e-12f ? 0 : (dot - self) / MathF.Sqrt(rest);
        }
    }

    sealed record Direction(float[] Vector, float[] Cosines)
    {
        readonly Dictionary<double, int> _members = [];

        /// <summary>Rows of the whole dataset at or above <paramref name="bar"/> (counted once per bar).</summary>
        public int Members(double bar)
        {
            if (!_members.TryGetValue(bar, out var count)) _members[bar] = count = Cosines.Count(c => c >= bar);
            return count;
        }
    }

    sealed record Association(int Word, Direction Direction, double LogP, double Bar, int Members, bool IsTrigger);

    sealed class RowGroup(Association first, HashSet<int> rows)
    {
        public List<Association> Words { get; } = [first];

        public HashSet<int> RowSet { get; } = rows;

        public int Overlap(HashSet<int> other) => RowSet.Count(other.Contains);

        public bool SameBehaviour(Direction direction) => Words.Any(w => TensorPrimitives.Dot(w.Direction.Vector, direction.Vector) >= SameBehaviourCosine);

        public void Add(Association word, HashSet<int> rows)
        {
            Words.Add(word);
            RowSet.UnionWith(rows);
        }

        public void Absorb(RowGroup other)
        {
            Words.AddRange(other.Words);
            RowSet.UnionWith(other.RowSet);
        }
    }
}
