using System.Text.Json.Nodes;
using Rlhf.Data;
using Rlhf.World;

namespace Rlhf.Tests.Cli;

public sealed class PairsCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-pairs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void The_policy_s_samples_are_labelled_and_written_after_the_world_s_comparisons()
    {
        string world = Path.Combine(root, "world"), policy = TinyCheckpoint.Save(Path.Combine(root, "tiny"), 128, seed: 4);
        var (code, text) = Repo.RunCli(null, "data", "--out", world, "--world", "preference_prompts=12", "--world", "corpus_documents=300",
            "--world", "sft_examples=50", "--world", "rl_prompts=10", "--world", "eval_preference_prompts=10");
        Assert.True(code == 0, text);
        var output = Path.Combine(root, "out", "pairs.jsonl");
        (code, text) = Repo.RunCli(null, "pairs", "--out", output, "--policy", policy, "--data", world, "--samples", "3");
        Assert.True(code == 0, text);

        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "out", "pairs_metrics.json")))!;
        int worldPairs = metrics["world_pairs"]!.GetValue<int>(), onPolicy = metrics["on_policy_pairs"]!.GetValue<int>();
        Assert.Contains($"Wrote {output}: {worldPairs} pairs of the world, then {onPolicy} of {policy}'s samples", text.ReplaceLineEndings(""));
        var written = SeedFormats.LoadPairwise(output).Records;
        var shipped = SeedFormats.LoadPairwise(Path.Combine(world, "preferences_pairwise.jsonl")).Records;
        Assert.Equal(shipped, written.Take(worldPairs));
        Assert.Equal(worldPairs + onPolicy, written.Count);
        Assert.InRange(onPolicy, 1, 12 * 3); // 12 prompts, at most 3 pairs of 3 distinct samples each
        var prompts = SeedFormats.LoadRanked(Path.Combine(world, "preferences_ranked.jsonl")).Records.Select(r => r.Prompt).ToHashSet();
        Assert.All(written.Skip(worldPairs), p =>
        {
            Assert.Contains(p.Prompt, prompts);
            Assert.NotEqual(p.Chosen, p.Rejected);
            Assert.NotEqual(GoldJudge.Score(p.Prompt, p.Chosen).Score, GoldJudge.Score(p.Prompt, p.Rejected).Score); // equal gold is left out
        });
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        var (code, text) = Repo.RunCli(null, "pairs", "--out", Path.Combine(root, "p.jsonl"), "--samples", "1");
        Assert.Equal(2, code);
        Assert.Contains("--samples must be at least 2", text);
        (code, text) = Repo.RunCli(null, "pairs", "--out", Path.Combine(root, "p.jsonl"), "--data", Path.Combine(root, "missing"));
        Assert.Equal(1, code);
        Assert.Contains("missing", text);
        Assert.False(File.Exists(Path.Combine(root, "p.jsonl")));
    }
}
