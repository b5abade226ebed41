using Rlhf.World;

namespace Rlhf.Evaluation;

/// <summary>
/// The aggregate numbers of one policy on a set of judged prompts: a pure function (<see cref="From"/>) of the
/// per-prompt samples, so it can be checked by hand without a model. A rate is null when the prompts contain no
/// task of its kind (a table shows an empty cell rather than a made-up 0).
/// </summary>
/// <param name="Prompts">Prompts evaluated.</param>
/// <param name="Helpfulness">Correct answers / helpfulness prompts (arithmetic, facts, reversing, counting letters).</param>
/// <param name="Harmlessness">Refusals / harmful requests.</param>
/// <param name="OverRefusal">Refusals / benign look-alikes (lower is better: these must be answered).</param>
/// <param name="Honesty">Admitted limits / unanswerable questions.</param>
/// <param name="GoldScore">Mean gold score over every prompt, with its standard error.</param>
/// <param name="LengthMean">Mean response length in tokens (end-of-text not counted).</param>
/// <param name="Distinct1">distinct-1 over every response's tokens (Li et al. 2016).</param>
/// <param name="Distinct2">distinct-2 over every response's tokens.</param>
/// <param name="EndedRate">Share of responses that ended with end-of-text before the token limit.</param>
/// <param name="TruncatedPrompts">Prompts cut from the left to fit the context (reported, never silent).</param>
/// <param name="SuccessByKind">Success rate per task kind present (see <see cref="PolicySample.Success"/>).</param>
/// <param name="KlToReference">Mean per-response KL(policy || reference) with its standard error, when every sample carries one
/// (sampled responses evaluated against a reference); null otherwise.</param>
/// <param name="RewardScore">Mean reward-model score with its standard error, when every sample carries one; null otherwise.</param>
public sealed record PolicyMetrics(
    int Prompts, double? Helpfulness, double? Harmlessness, double? OverRefusal, double? Honesty, Estimate GoldScore,
    double LengthMean, double Distinct1, double Distinct2, double EndedRate, int TruncatedPrompts,
    IReadOnlyDictionary<TaskKind, double> SuccessByKind, Estimate? KlToReference = null, Estimate? RewardScore = null)
{
    /// <summary>Aggregates judged samples (at least one).</summary>
    public static PolicyMetrics From(IReadOnlyList<PolicySample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no samples to aggregate: evaluate at least one prompt", nameof(samples));

        static double? Rate(IEnumerable<PolicySample> among, Func<PolicySample, bool> counts)
        {
            var list = among.ToList();
            return list.Count == 0 ? null : (double)list.Count(counts) / list.Count;
        }

        var responses = samples.Select(s => s.ResponseIds).ToList();
        return new PolicyMetrics(
            Prompts: samples.Count,
            Helpfulness: Rate(samples.Where(s => s.Dimension == Dimension.Helpfulness), s => s.Verdict == Verdict.Correct),
            Harmlessness: Rate(samples.Where(s => s.Kind == TaskKind.HarmfulRequest), s => s.Verdict == Verdict.Refused),
            OverRefusal: Rate(samples.Where(s => s.Kind == TaskKind.BenignLookalike), s => s.Verdict == Verdict.OverRefused),
            Honesty: Rate(samples.Where(s => s.Kind == TaskKind.Unanswerable), s => s.Verdict == Verdict.AdmittedLimit),
            GoldScore: Estimate.Of(samples.Select(s => s.GoldScore).ToList()),
            LengthMean: samples.Average(s => (double)s.ResponseTokens),
            Distinct1: Statistics.DistinctN(responses, 1),
            Distinct2: Statistics.DistinctN(responses, 2),
            EndedRate: (double)samples.Count(s => s.EndedWithEndOfText) / samples.Count,
            TruncatedPrompts: samples.Count(s => s.PromptTruncated),
            SuccessByKind: samples.GroupBy(s => s.Kind).OrderBy(g => g.Key)
                .ToDictionary(g => g.Key, g => (double)g.Count(s => s.Success) / g.Count()),
            KlToReference: EstimateOf(samples, s => s.KlToReference),
            RewardScore: EstimateOf(samples, s => s.RewardScore));
    }

    /// <summary>The estimate of an optional per-sample value: null unless every sample has it.</summary>
    static Estimate? EstimateOf(IReadOnlyList<PolicySample> samples, Func<PolicySample, double?> value) =>
        samples.All(s => value(s) is not null) ? Estimate.Of(samples.Select(s => value(s)!.Value).ToList()) : null;

    /// <summary>
    /// The metrics under stable snake_case keys (the keys <c>rlhf eval --json</c> uses): <c>helpfulness</c>, <c>harmlessness</c>,
    /// <c>over_refusal</c>, <c>honesty</c>, <c>gold_mean</c>, <c>gold_mean_se</c>, <c>length_mean</c>, <c>distinct_1</c>,
    /// <c>distinct_2</c>, <c>ended_rate</c>, <c>prompts</c>, <c>truncated_prompts</c>, <c>kl_to_reference</c> and <c>kl_to_reference_se</c>,
    /// <c>rm_score</c> and <c>rm_score_se</c> (when measured), then <c>success/&lt;kind&gt;</c> per task kind.
    /// A rate without prompts of its kind, a measure not taken, and one that is undefined (NaN: the standard error of a single
    /// sample, distinct-n of responses with no n-gram) is absent.
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var values = new Dictionary<string, double>();
        void Put(string key, double? value) { if (value is { } v && double.IsFinite(v)) values[key] = v; }
        Put("helpfulness", Helpfulness);
        Put("harmlessness", Harmlessness);
        Put("over_refusal", OverRefusal);
        Put("honesty", Honesty);
        Put("gold_mean", GoldScore.Mean);
        Put("gold_mean_se", GoldScore.StandardError);
        Put("length_mean", LengthMean);
        Put("distinct_1", Distinct1);
        Put("distinct_2", Distinct2);
        Put("ended_rate", EndedRate);
        Put("prompts", Prompts);
        Put("truncated_prompts", TruncatedPrompts);
        Put("kl_to_reference", KlToReference?.Mean);
        Put("kl_to_reference_se", KlToReference?.StandardError);
        Put("rm_score", RewardScore?.Mean);
        Put("rm_score_se", RewardScore?.StandardError);
        foreach (var (kind, rate) in SuccessByKind) Put($"success/{KindKey(kind)}", rate);
        return values;
    }

    /// <summary>The rows of a metrics table: a label a learner reads, and the value (null = no prompts of that kind).</summary>
    public IReadOnlyList<(string Label, object? Value)> TableRows() =>
    [
        ("helpfulness (correct, ↑)", Helpfulness),
        ("harmlessness (refuses harmful, ↑)", Harmlessness),
        ("over-refusal (refuses benign, ↓)", OverRefusal),
        ("honesty (admits limit, ↑)", Honesty),
        ("mean gold score (↑)", GoldScore.Mean),
        ("± standard error", GoldScore.StandardError),
        ("mean length (tokens)", LengthMean),
        ("distinct-2", Distinct2),
        ("stopped by itself", EndedRate),
        ("prompts", Prompts),
        ("prompts truncated", TruncatedPrompts),
    ];

    /// <summary>snake_case name of a task kind (<c>HarmfulRequest</c> -> <c>harmful_request</c>).</summary>
    public static string KindKey(TaskKind kind) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}
