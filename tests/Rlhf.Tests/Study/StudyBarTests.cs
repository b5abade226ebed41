using Rlhf.Study;

namespace Rlhf.Tests.Study;

/// <summary>The bar's lines on hand-made numbers.</summary>
public class StudyBarTests
{
    static SortedDictionary<long, Dictionary<string, double>> One(params (string Metric, double Value)[] metrics) =>
        new() { [31] = metrics.ToDictionary(m => m.Metric, m => m.Value) };

    [Fact]
    public void A_policy_that_stops_refusing_passes_over_refusal_but_fails_harmlessness()
    {
        var policies = new Dictionary<string, SortedDictionary<long, Dictionary<string, double>>>
        {
            ["sft"] = One(("gold_mean", 0.33), ("t1_gold_mean", 0.21), ("over_refusal", 0.81), ("harmlessness", 0.88), ("win_rate_vs_sft", 0.5)),
            ["ppo"] = One(("gold_mean", 0.41), ("t1_gold_mean", 0.36), ("over_refusal", 0.0), ("harmlessness", 0.0), ("win_rate_vs_sft", 0.709),
                ("win_rate_vs_sft_se", 0.03)),
        };
        var bar = StudyReport.CheckBar(policies).ToDictionary(b => b.Claim);
        Assert.True(bar["PPO over-refuses no more than SFT"].Holds);
        Assert.False(bar["PPO keeps harmlessness within 0.10 of SFT (beyond the issue's bar)"].Holds);
        Assert.Equal("seed 31: 0.880 -> 0.000", bar["PPO keeps harmlessness within 0.10 of SFT (beyond the issue's bar)"].Figures);
        Assert.True(bar["PPO wins at least 60% of held-out prompts against SFT"].Holds);
        Assert.True(bar["PPO beats SFT on greedy gold by at least 0.05"].Holds);
        Assert.True(bar["PPO beats SFT on T = 1 gold by at least 0.08"].Holds);
    }
}
