using Rlhf.Evaluation;
using Rlhf.Tests.Plots;
using Rlhf.World;

namespace Rlhf.Tests.Evaluation;

public class PolicyMetricsTests
{
    static PolicySample Sample(TaskKind kind, Verdict verdict, double score, int[] ids, bool ended = true, bool truncated = false) =>
        new("prompt", "response", kind, verdict, score, ids.Length, ended, ids, truncated);

    /// <summary>Eight judged samples whose aggregates are worked out by hand below.</summary>
    static readonly PolicySample[] Fixed =
    [
        Sample(TaskKind.Arithmetic, Verdict.Correct, 1.0, [1, 2]),
        Sample(TaskKind.Fact, Verdict.Wrong, 0.0, [1, 2, 3]),
        Sample(TaskKind.CountLetter, Verdict.Correct, 0.7, [4]),
        Sample(TaskKind.HarmfulRequest, Verdict.Refused, 1.0, [5, 6]),
        Sample(TaskKind.HarmfulRequest, Verdict.Complied, 0.0, [5, 6], ended: false),
        Sample(TaskKind.BenignLookalike, Verdict.OverRefused, 0.1, [5, 6]),
        Sample(TaskKind.BenignLookalike, Verdict.Correct, 1.0, [7], truncated: true),
        Sample(TaskKind.Unanswerable, Verdict.MadeUp, 0.0, [8, 9, 8, 9]),
    ];

    [Fact]
    public void Rates_are_counted_within_their_own_task_kinds()
    {
        var m = PolicyMetrics.From(Fixed);
        Assert.Equal(8, m.Prompts);
        Assert.Equal(2.0 / 3, m.Helpfulness!.Value, 12); // arithmetic + count-letter correct, fact wrong
        Assert.Equal(0.5, m.Harmlessness); // 1 of 2 harmful refused
        Assert.Equal(0.5, m.OverRefusal); // 1 of 2 benign refused
        Assert.Equal(0.0, m.Honesty); // the unanswerable one was made up
        Assert.Equal(0.5, m.SuccessByKind[TaskKind.BenignLookalike]);
        Assert.Equal(1.0, m.SuccessByKind[TaskKind.Arithmetic]);
        Assert.Equal(0.0, m.SuccessByKind[TaskKind.Fact]);
        Assert.False(m.SuccessByKind.ContainsKey(TaskKind.ReverseWord));
    }

    [Fact]
    public void Means_lengths_and_diversity_are_hand_computed()
    {
        var m = PolicyMetrics.From(Fixed);
        // gold: (1 + 0 + 0.7 + 1 + 0 + 0.1 + 1 + 0) / 8 = 3.8 / 8
        Assert.Equal(0.475, m.GoldScore.Mean, 12);
        Assert.Equal(8, m.GoldScore.Count);
        // lengths 2 3 1 2 2 2 1 4 -> 17 / 8
        Assert.Equal(17.0 / 8, m.LengthMean, 12);
        // unigrams: 17 tokens, distinct {1..9} = 9
        Assert.Equal(9.0 / 17, m.Distinct1, 12);
        // bigrams: 12 | 12 23 | - | 56 | 56 | 56 | - | 89 98 89 -> 9 bigrams, distinct {12, 23, 56, 89, 98} = 5
        Assert.Equal(5.0 / 9, m.Distinct2, 12);
        Assert.Equal(7.0 / 8, m.EndedRate, 12);
        Assert.Equal(1, m.TruncatedPrompts);
    }

    [Fact]
    public void A_rate_without_prompts_of_its_kind_is_null_and_absent_from_the_dictionary()
    {
        var m = PolicyMetrics.From([Sample(TaskKind.Arithmetic, Verdict.Correct, 1.0, [1])]);
        Assert.Equal(1.0, m.Helpfulness);
        Assert.Null(m.Harmlessness);
        Assert.Null(m.Honesty);
        var keys = m.ToDictionary();
        Assert.Equal(1.0, keys["helpfulness"]);
        Assert.False(keys.ContainsKey("harmlessness"));
        Assert.Equal(1.0, keys["success/arithmetic"]);
    }

    [Fact]
    public void Dictionary_uses_the_stable_evaluation_keys()
    {
        var keys = PolicyMetrics.From(Fixed).ToDictionary();
        Assert.Equal(0.5, keys["over_refusal"]);
        Assert.Equal(0.475, keys["gold_mean"], 12);
        Assert.Equal(5.0 / 9, keys["distinct_2"], 12);
        Assert.Equal(17.0 / 8, keys["length_mean"], 12);
        Assert.Equal(0.5, keys["success/harmful_request"]);
        Assert.Contains("honesty", keys.Keys);
    }

    [Fact]
    public void Aggregating_nothing_is_an_error() =>
        Assert.Throws<ArgumentException>(() => PolicyMetrics.From([]));

    [Fact]
    public void Comparison_table_has_one_column_per_policy_and_one_row_per_metric()
    {
        var worse = PolicyEvaluation.FromSamples("base", "greedy, max 48 new tokens", Fixed);
        var better = PolicyEvaluation.FromSamples("sft", "greedy, max 48 new tokens",
            Fixed.Select(s => s with { Verdict = Verdict.Refused, Kind = TaskKind.HarmfulRequest, GoldScore = 1.0 }).ToArray());
        var table = PolicyEvaluation.Compare([worse, better]);
        Assert.Equal(["metric", "base", "sft"], table.Columns);
        Assert.Contains("greedy, max 48 new tokens", table.Caption);
        var harmless = table.Rows.Single(r => ((string)r[0]!).StartsWith("harmlessness"));
        Assert.Equal(0.5, harmless[1]);
        Assert.Equal(1.0, harmless[2]);
        var helpful = table.Rows.Single(r => ((string)r[0]!).StartsWith("helpfulness"));
        Assert.Null(helpful[2]); // no helpfulness prompts left in the second one: an empty cell, not 0
        Assert.Equal(worse.ToTable().Rows.Count, table.Rows.Count);
    }

    [Fact]
    public void The_headline_table_keeps_the_rates_the_gold_mean_and_stopping()
    {
        var a = PolicyEvaluation.FromSamples("a", "greedy", Fixed);
        var headline = PolicyEvaluation.Headline([a, a with { Policy = "b" }]);
        Assert.Equal(["helpfulness (correct, ↑)", "harmlessness (refuses harmful, ↑)", "over-refusal (refuses benign, ↓)", "honesty (admits limit, ↑)",
            "mean gold score (↑)", "± standard error", "mean length (tokens)", "stopped by itself"], headline.Rows.Select(r => (string)r[0]!).ToList());
        Assert.Equal(["metric", "a", "b"], headline.Columns);
    }

    [Fact]
    public void Sample_comparison_needs_the_same_prompts()
    {
        var a = PolicyEvaluation.FromSamples("a", "greedy", Fixed);
        var b = PolicyEvaluation.FromSamples("b", "greedy", Fixed.Select(s => s with { Prompt = "other" }).ToArray());
        Assert.Throws<ArgumentException>(() => PolicyEvaluation.CompareSamples([a, b]));
        var table = PolicyEvaluation.CompareSamples([a, a with { Policy = "a2" }], perKind: 1);
        Assert.Equal(["task", "prompt", "a", "a2"], table.Columns);
        Assert.Equal(6, table.Rows.Count); // six task kinds present, one prompt each

        // Where a second policy answers the second harmful request differently, that prompt is the one shown for the kind.
        var changed = Fixed.Select((s, i) => i == 4 ? s with { Response = "I can't help with that.", Verdict = Verdict.Refused, GoldScore = 1.0 } : s).ToArray();
        var b2 = PolicyEvaluation.FromSamples("b", "greedy", changed);
        var harmful = PolicyEvaluation.CompareSamples([a, b2], perKind: 1).Rows.Single(r => (string)r[0]! == nameof(TaskKind.HarmfulRequest));
        Assert.Contains("I can't help with that.", (string)harmful[3]!);
    }

    [Fact]
    public void Comparison_chart_has_one_bar_group_per_policy_with_the_headline_rates()
    {
        var a = PolicyEvaluation.FromSamples("base", "greedy", Fixed);
        var (traces, _) = PlotlyJson.Read(PolicyEvaluation.CompareChart([a, a with { Policy = "sft" }]));
        Assert.Equal(["base", "sft"], traces.Names());
        Assert.Equal(["helpfulness ↑", "harmlessness ↑", "honesty ↑", "over-refusal ↓"], traces[0].Strings("x"));
        Assert.Equal([2.0 / 3, 0.5, 0.0, 0.5], traces[0].Numbers("y").Select(v => Math.Round(v, 12)).ToArray(), new RoundedComparer());
    }

    sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-9;
        public int GetHashCode(double obj) => 0;
    }
}
