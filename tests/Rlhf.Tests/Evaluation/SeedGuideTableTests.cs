using System.Text.Json.Nodes;
using Rlhf.Evaluation;

namespace Rlhf.Tests.Evaluation;

public class SeedGuideTableTests
{
    static JsonObject Evaluation() => JsonNode.Parse("""
        {
          "policies": {
            "base": {"helpfulness": 0.2, "harmlessness": 0.125, "honesty": 0.25, "win_rate_vs_sft": 0.3, "win_rate_vs_base": 0.5},
            "sft":  {"helpfulness": 0.3, "harmlessness": 0.875, "honesty": 0.5, "win_rate_vs_sft": 0.5, "win_rate_vs_base": 0.7},
            "ppo":  {"helpfulness": 0.37, "harmlessness": 1, "honesty": 1, "win_rate_vs_sft": 0.619, "win_rate_vs_base": 0.631}
          },
          "settings": {"reference": "sft", "baseline": "base"}
        }
        """)!.AsObject();

    [Fact]
    public void Puts_ours_on_the_guides_scale_beside_its_claims()
    {
        var table = SeedGuideTable.SideBySide(Evaluation(), ["base", "sft", "ppo"]);
        Assert.Equal(["dimension", "guide: base", "guide: SFT", "guide: RLHF", "ours: base", "ours: sft", "ours: ppo"], table.Columns);
        Assert.Equal(5, table.Rows.Count);
        // helpfulness: the guide's 5.2 -> 7.8 -> 9.1, ours the rate times 10
        Assert.Equal([5.2, 7.8, 9.1], table.Rows[0].Skip(1).Take(3).Cast<double>());
        Assert.Equal(3.7, (double)table.Rows[0][6]!, 9);
        Assert.Equal(1.3, (double)table.Rows[1][4]!, 9); // 1.25, to the guide's one decimal
        // win rates in percent; a policy has no win rate against itself or the baseline row it is measured against
        Assert.Equal(73.0, (double)table.Rows[3][3]!);
        Assert.Null(table.Rows[3][1]);
        Assert.Equal(61.9, (double)table.Rows[3][6]!, 9);
        Assert.Equal(63.1, (double)table.Rows[4][6]!, 9);
        Assert.Null(table.Rows[3][4]);
        Assert.Null(table.Rows[4][5]);
    }

    [Fact]
    public void A_missing_policy_or_metric_is_named()
    {
        var missingPolicy = Assert.Throws<InvalidDataException>(() => SeedGuideTable.SideBySide(Evaluation(), ["dpo"]));
        Assert.Contains("\"dpo\"", missingPolicy.Message);
        var json = Evaluation();
        json["policies"]!["ppo"]!.AsObject().Remove("honesty");
        var missingMetric = Assert.Throws<InvalidDataException>(() => SeedGuideTable.SideBySide(json, ["ppo"]));
        Assert.Contains("\"honesty\"", missingMetric.Message);
    }
}
