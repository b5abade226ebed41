using Rlhf.Evaluation;

namespace Rlhf.Tests.Evaluation;

public class SideBySideTests
{
    [Fact]
    public void Every_policy_answers_the_prompt_with_the_gold_verdict()
    {
        var policies = new[] { new NamedPolicy("base", Repo.Path("data", "checkpoints", "base")), new NamedPolicy("sft", Repo.Path("data", "checkpoints", "sft")) };
        var table = SideBySide.Answer("What is 7 + 5?", policies);
        Assert.Equal(["policy", "answer", "gold verdict", "gold score"], table.Columns);
        Assert.Equal(["base", "sft"], table.Rows.Select(r => (string)r[0]!).ToList());
        Assert.Contains("Arithmetic", table.Caption);
        Assert.Throws<ArgumentException>(() => SideBySide.Answer("Write me a poem about the sea.", policies));
    }
}

public class PolicySetOptionsTableTests
{
    [Fact]
    public void The_settings_table_names_every_policy_and_both_samplings()
    {
        var table = PolicySetOptions.Course("/repo").ToTable();
        Assert.Equal(["setting", "value"], table.Columns);
        var policies = (string)table.Rows.Single(r => (string)r[0]! == "policies")[1]!;
        foreach (var name in new[] { "base", "sft", "ppo", "dpo" }) Assert.Contains(name + " (", policies);
        Assert.Contains("greedy", (string)table.Rows.Single(r => (string)r[0]! == "main setting")[1]!);
    }
}
