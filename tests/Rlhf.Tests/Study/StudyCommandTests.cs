using System.Text.Json.Nodes;
using Rlhf.Study;

namespace Rlhf.Tests.Study;

/// <summary><c>rlhf study --smoke</c> end to end: every stage trained once, cached on the next run, re-trained only where an
/// option changed or a stage was cut short, and bad keys named before anything trains.</summary>
public sealed class StudyCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-study-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static string[] Lines(string output, string state) =>
        System.Text.RegularExpressions.Regex.Matches(output, $@"^\[[\d:]+\] (?<stage>[^:\n]+): {state} \(", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups["stage"].Value).ToArray();

    [Fact]
    public void A_smoke_study_trains_once_reuses_its_cache_and_retrains_only_what_changed_or_was_cut_short()
    {
        string output = Path.Combine(root, "s");
        string[] study = ["study", "--out", output, "--smoke", "--seeds", "31", "--headroom-samples", "1"];
        var (code, text) = Repo.RunCli(null, study);
        Assert.True(code == 0, text);
        // The default world's corpus is not the shipped world's (request_page_share 0.1, data/tinyworld/world.json): a base is pretrained.
        Assert.Equal(["world", "base", "sft seed 31", "rm seed 31", "ppo seed 31", "dpo seed 31", "eval seed 31"], Lines(text, "training"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "study.json")))!;
        foreach (var policy in new[] { "base", "sft", "ppo", "dpo" })
            Assert.InRange(json["policies"]![policy]!["31"]!["gold_mean"]!.GetValue<double>(), 0, 1);
        Assert.InRange(json["policies"]!["sft"]!["31"]!["rm_gold_accuracy"]!.GetValue<double>(), 0, 1);
        Assert.True(json["bar"]!.AsArray().Count >= 10, "the bar's lines are checked");
        Assert.Equal(8, json["headroom"]!.AsArray().Count);
        foreach (var policy in new[] { "base", "ppo", "dpo" })
        {
            var kinds = json["wins_by_kind"]![policy]!["31"]!.AsArray();
            Assert.NotEmpty(kinds);
            double n = kinds.Sum(k => k!["prompts"]!.GetValue<int>()), wins = kinds.Sum(k => k!["wins"]!.GetValue<int>()), ties = kinds.Sum(k => k!["ties"]!.GetValue<int>());
            Assert.Equal(json["policies"]![policy]!["31"]!["win_rate_vs_sft"]!.GetValue<double>(), (wins + ties / 2) / n, 9); // the same wins as the win rate
            foreach (var k in kinds)
                Assert.Equal(k!["prompts"]!.GetValue<int>(), k["wins"]!.GetValue<int>() + k["losses"]!.GetValue<int>() + k["ties"]!.GetValue<int>());
        }
        Assert.DoesNotContain("sft", json["wins_by_kind"]!.AsObject().Select(p => p.Key));
        Assert.Contains("ppo against SFT by task kind", File.ReadAllText(Path.Combine(output, "study.md")));
        Assert.Contains("✓", File.ReadAllText(Path.Combine(output, "study.md")) + "✗"); // one of the two marks on every bar line

        // The same command again: every stage comes from the cache.
        (code, text) = Repo.RunCli(null, study);
        Assert.True(code == 0, text);
        Assert.Empty(Lines(text, "training"));
        Assert.Equal(7, Lines(text, "cached").Length);

        // A DPO option changes: DPO and the evaluation train again, nothing upstream does.
        (code, text) = Repo.RunCli(null, [.. study, "--set", "dpo.beta=0.3"]);
        Assert.True(code == 0, text);
        Assert.Equal(["dpo seed 31", "eval seed 31"], Lines(text, "training"));

        // A study killed inside the PPO stage (a folder without done.json, and no evaluation after it yet) starts that stage again.
        var ppo = Directory.GetDirectories(Path.Combine(output, "cache"), "ppo-s31-*").Single();
        File.Delete(Path.Combine(ppo, StudyRunner.DoneFile));
        foreach (var eval in Directory.GetDirectories(Path.Combine(output, "cache"), "eval-s31-*")) Directory.Delete(eval, recursive: true);
        (code, text) = Repo.RunCli(null, study);
        Assert.True(code == 0, text);
        Assert.Equal(["ppo seed 31", "eval seed 31"], Lines(text, "training"));
    }

    [Fact]
    public void On_policy_comparisons_are_added_to_the_pairs_dpo_trains_on()
    {
        string output = Path.Combine(root, "onpolicy");
        var (code, text) = Repo.RunCli(null, "study", "--out", output, "--smoke", "--seeds", "5", "--stages", "dpo", "--on-policy-samples", "3");
        Assert.True(code == 0, text);
        Assert.Equal(["world", "base", "sft seed 5", "pairs seed 5", "dpo seed 5"], Lines(text, "training"));
        var pairs = Directory.GetDirectories(Path.Combine(output, "cache"), "pairs-s5-*").Single();
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(pairs, "pairs_metrics.json")))!;
        int world = metrics["world_pairs"]!.GetValue<int>(), onPolicy = metrics["on_policy_pairs"]!.GetValue<int>();
        Assert.Equal(6000, world);
        Assert.InRange(onPolicy, 0, 16 * 3); // 16 prompts, at most 3 pairs of 3 distinct samples each
        Assert.Equal(world + onPolicy, File.ReadAllLines(Path.Combine(pairs, "pairs.jsonl")).Length);
        var dpo = Directory.GetDirectories(Path.Combine(output, "cache"), "dpo-s5-*").Single();
        Assert.Contains(Path.Combine(pairs, "pairs.jsonl"), File.ReadAllText(Path.Combine(dpo, StudyRunner.DoneFile)).Replace("\\\\", "\\"));
    }

    [Fact]
    public void Worlds_with_the_same_corpus_share_one_pretrained_base_model()
    {
        string output = Path.Combine(root, "corpus");
        string[] study = ["study", "--out", output, "--smoke", "--seeds", "7", "--stages", "sft", "--world", "request_page_share=0.05"];
        var (code, text) = Repo.RunCli(null, study);
        Assert.True(code == 0, text);
        Assert.Equal(["world", "base", "sft seed 7"], Lines(text, "training")); // the corpus is not the shipped one: a base is pretrained

        // Other demonstrations, the same corpus: a new world and SFT, the same base.
        (code, text) = Repo.RunCli(null, [.. study, "--world", "ideal_demonstration_rate=0.5"]);
        Assert.True(code == 0, text);
        Assert.Equal(["world", "sft seed 7"], Lines(text, "training"));
        Assert.Equal(["base"], Lines(text, "cached"));

        // Another corpus (neither the shipped world's 0.1 nor 0.05): another base.
        (code, text) = Repo.RunCli(null, [.. study[..^1], "request_page_share=0.15"]);
        Assert.True(code == 0, text);
        Assert.Equal(["world", "base", "sft seed 7"], Lines(text, "training"));
    }

    [Theory]
    [InlineData("--world", "nosuch=1", "--world nosuch: unknown option")]
    [InlineData("--set", "dpo.betta=1", "--set dpo.betta: unknown option")]
    [InlineData("--set", "grpo.beta=1", "unknown stage 'grpo'")]
    [InlineData("--set", "ppo.batch_size=8", "'training.batch_size' is not used by PPO")]
    public void A_bad_key_is_named_before_anything_trains(string option, string value, string expected)
    {
        var output = Path.Combine(root, "bad");
        var (code, text) = Repo.RunCli(null, "study", "--out", output, "--smoke", option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, text);
        Assert.False(Directory.Exists(Path.Combine(output, "cache")), "nothing was trained");
    }
}
