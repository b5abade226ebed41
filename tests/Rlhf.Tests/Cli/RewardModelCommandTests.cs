using System.Text.Json.Nodes;
using Rlhf.Checkpoints;

namespace Rlhf.Tests.Cli;

/// <summary><c>rlhf rm --seeds</c> run as a subprocess from a tiny SFT checkpoint this test writes, on the shipped TinyWorld pairs.</summary>
public sealed class RewardModelCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-rm-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Rm_seeds_trains_one_reward_model_per_seed_and_writes_the_spread_of_held_out_accuracy()
    {
        var sft = TinyCheckpoint.Save(Path.Combine(root, "sft"), contextLength: 192, seed: 5);
        var output = Path.Combine(root, "rm");

        var (code, text) = Repo.RunCli(null, "rm", "--seeds", "3,4", "--set", $"init_from={sft}", "--set", "max_steps=2", "--set", "batch_size=2",
            "--set", "warmup_steps=0", "--set", "eval_every=0", "--set", "eval_pairs=8", "--set", "train_eval_pairs=0",
            "--set", "normalization_prompts=2", "--set", "normalization_max_new_tokens=2", "--out", output);

        Assert.True(code == 0, text);
        foreach (var seed in new[] { 3, 4 })
            Assert.Equal(seed.ToString(), Checkpoint.ReadMetadata(Path.Combine(output, $"seed-{seed}"))["seed"]);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "seeds.json")))!;
        Assert.Equal([3L, 4L], summary["runs"]!.AsArray().Select(r => (long)r!["seed"]!));
        Assert.All(summary["runs"]!.AsArray(), r => Assert.InRange((double)r!["accuracy_vs_gold"]!, 0.0, 1.0));
        Assert.Equal(2, (int)summary["accuracy_vs_gold"]!["count"]!);
        Assert.Contains("accuracy vs gold", text);

        var (resumed, resumedText) = Repo.RunCli(null, "rm", "--seeds", "3", "--resume", Path.Combine(root, "nowhere"));
        Assert.Equal(2, resumed);
        Assert.Contains("--resume", resumedText);
    }
}
