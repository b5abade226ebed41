using Rlhf.Evaluation;
using Rlhf.World;

namespace Rlhf.Tests.Evaluation;

public class WinsByKindTests
{
    static PolicySample Sample(string prompt, TaskKind kind, double gold) =>
        new(prompt, "response", kind, gold > 0.5 ? Verdict.Correct : Verdict.Wrong, gold, 3, true, [1, 2, 3]);

    static PolicyEvaluation Evaluation(string name, params (string Prompt, TaskKind Kind, double Gold)[] rows) =>
        PolicyEvaluation.FromSamples(name, "greedy", rows.Select(r => Sample(r.Prompt, r.Kind, r.Gold)).ToList());

    [Fact]
    public void Wins_losses_and_ties_are_counted_per_task_kind()
    {
        var baseline = Evaluation("sft", ("a", TaskKind.Arithmetic, 0), ("b", TaskKind.Arithmetic, 1), ("c", TaskKind.HarmfulRequest, 0),
            ("d", TaskKind.HarmfulRequest, 0.5), ("e", TaskKind.Arithmetic, 1));
        var candidate = Evaluation("dpo", ("a", TaskKind.Arithmetic, 1), ("b", TaskKind.Arithmetic, 0), ("c", TaskKind.HarmfulRequest, 1),
            ("d", TaskKind.HarmfulRequest, 1), ("e", TaskKind.Arithmetic, 1));
        var kinds = WinsByKind.Count(candidate, baseline);
        Assert.Equal([new KindWins(TaskKind.Arithmetic, 3, 1, 1), new KindWins(TaskKind.HarmfulRequest, 2, 2, 0)], kinds);
        Assert.Equal(1, kinds[0].Ties);
        // The split adds up to the win rate: (3 wins + 1 tie / 2) / 5 prompts.
        Assert.Equal(Statistics.WinRate(candidate.Samples.Select(s => s.GoldScore).ToList(), baseline.Samples.Select(s => s.GoldScore).ToList()),
            (kinds.Sum(k => k.Wins) + kinds.Sum(k => k.Ties) / 2.0) / 5, 12);

        var table = WinsByKind.Table(candidate, baseline);
        Assert.Equal(["task", "prompts", "wins", "losses", "ties", "net"], table.Columns);
        Assert.Equal(["Arithmetic", 3, 1, 1, 1, 0], table.Rows[0]);
        Assert.Equal(["all", 5, 3, 1, 1, 2], table.Rows[^1]);
    }

    [Fact]
    public void Evaluations_of_different_prompts_are_refused_naming_the_prompt()
    {
        var baseline = Evaluation("sft", ("What is 1 + 1?", TaskKind.Arithmetic, 0), ("x", TaskKind.Fact, 0));
        var other = Evaluation("ppo", ("What is 1 + 1?", TaskKind.Arithmetic, 0), ("y", TaskKind.Fact, 0));
        var error = Assert.Throws<ArgumentException>(() => WinsByKind.Count(other, baseline));
        Assert.Contains("prompt 2", error.Message);
        Assert.Throws<ArgumentException>(() => WinsByKind.Count(Evaluation("ppo", ("x", TaskKind.Fact, 0)), baseline));
    }
}
