using System.Text.Json.Nodes;

namespace Rlhf.Tests.Cli;

/// <summary><c>rlhf eval</c>: the issue's JSON keys on a tiny run, and clear errors for missing or malformed policies.</summary>
public class EvalCommandTests
{
    static readonly string[] IssueKeys =
        ["helpfulness", "harmlessness", "over_refusal", "honesty", "gold_mean", "win_rate_vs_sft", "win_rate_vs_base", "length_mean", "distinct_2", "kl_to_sft"];

    [Fact]
    public void Json_holds_every_policy_with_the_issue_keys_greedy_at_the_top_and_t1_inside()
    {
        // "ppo" is a second copy of the SFT checkpoint: identical answers, so its win rate against SFT is exactly 0.5 and its KL 0.
        var (exitCode, output) = Repo.RunCli(null, "eval", "--json", "--prompts-per-kind", "1",
            "--policy", "ppo=data/checkpoints/sft", "--policy", "dpo=data/checkpoints/base");
        Assert.True(exitCode == 0, output);
        var json = JsonNode.Parse(output)!.AsObject();
        var policies = json["policies"]!.AsObject();
        Assert.Equal(["base", "sft", "ppo", "dpo"], policies.Select(p => p.Key));
        foreach (var (name, node) in policies)
            foreach (var metrics in new[] { node!.AsObject(), node["t1"]!.AsObject() })
            {
                foreach (var key in IssueKeys) Assert.True(metrics.ContainsKey(key), $"{name}: no '{key}' in {metrics.ToJsonString()}");
                foreach (var rate in new[] { "helpfulness", "harmlessness", "over_refusal", "honesty", "win_rate_vs_sft", "win_rate_vs_base", "distinct_2" })
                    Assert.InRange(metrics[rate]!.GetValue<double>(), 0, 1);
                Assert.Equal(7, metrics["prompts"]!.GetValue<double>()); // one prompt per task kind
            }
        Assert.Equal(0.5, policies["ppo"]!["win_rate_vs_sft"]!.GetValue<double>());
        Assert.Equal(0.5, policies["sft"]!["win_rate_vs_sft"]!.GetValue<double>());
        Assert.Equal(0.0, policies["ppo"]!["kl_to_sft"]!.GetValue<double>(), 6);
        Assert.Equal(policies["sft"]!["gold_mean"]!.GetValue<double>(), policies["ppo"]!["gold_mean"]!.GetValue<double>());
        Assert.True(policies["base"]!["kl_to_sft"]!.GetValue<double>() > 0.1, "the base model samples text the SFT model finds unlikely");
        Assert.Equal(policies["base"]!["kl_to_sft"]!.GetValue<double>(), policies["base"]!["t1"]!["kl_to_sft"]!.GetValue<double>());
        Assert.StartsWith("greedy", (string?)json["settings"]!["greedy"]);
        Assert.StartsWith("T=1", (string?)json["settings"]!["t1"]);
        Assert.Equal(7, json["samples"]!.AsArray().Count);
    }

    [Fact]
    public void A_missing_policy_folder_is_named()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-policy-{Guid.NewGuid():N}");
        var (exitCode, output) = Repo.RunCli(null, "eval", "--policy", $"ppo={missing}");
        Assert.Equal(2, exitCode);
        Assert.Contains($"policy 'ppo': no checkpoint in '{missing}'", output);
    }

    [Fact]
    public void A_policy_without_a_folder_is_refused()
    {
        var (exitCode, output) = Repo.RunCli(null, "eval", "--policy", "ppo");
        Assert.Equal(2, exitCode);
        Assert.Contains("'ppo' is not name=folder", output);
    }
}
