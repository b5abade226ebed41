using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;

namespace Rlhf.Tests.Evaluation;

/// <summary><see cref="Headroom"/> on the shipped SFT and reward model, at a few prompts and short answers.</summary>
public sealed class HeadroomTests
{
    public HeadroomTests() => TorchRuntime.Init();

    [Fact]
    public void Rows_per_family_bound_each_other_as_their_definitions_say()
    {
        var sft = Repo.Path("data", "checkpoints", "sft");
        using var policy = Checkpoint.LoadGpt(sft);
        using var rewardModel = RewardModel.Load(Repo.Path("data", "checkpoints", "rm"));
        var evaluation = PolicyEvaluationOptions.Greedy with
        {
            PromptsFile = Repo.Path("data", "tinyworld", "eval_prompts.txt"), MaxPromptsPerKind = 2,
            Generation = PolicyEvaluationOptions.Greedy.Generation with { MaxNewTokens = 24 },
        };
        var rows = Headroom.Measure(policy, TextTokenizer.Load(sft), rewardModel, evaluation, samples: 3);
        Assert.Equal(8, rows.Count); // 7 task families and "all"
        Assert.Equal(("all", 14), (rows[^1].Kind, rows[^1].Prompts));
        foreach (var row in rows)
        {
            Assert.InRange(row.Sampled, 0, row.BestByGold + 1e-12);          // a mean of samples is at most their best
            Assert.InRange(row.BestByReward!.Value, 0, row.BestByGold + 1e-12); // the RM's pick is one of the samples
            Assert.InRange(row.Fixable, 0, 1);
            Assert.True(row.Fixable <= 0 || row.BestByGold > 0, $"{row.Kind}: fixable prompts have a sample scoring 1");
        }
        Assert.Equal(rows.Take(7).Sum(r => r.Greedy * r.Prompts) / 14, rows[^1].Greedy, 9);
        // Without a reward model there is no best-by-RM column.
        Assert.Null(Headroom.Measure(policy, TextTokenizer.Load(sft), null, evaluation with { MaxPromptsPerKind = 1 }, samples: 1)[^1].BestByReward);
    }
}
