using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using Rlhf.World;
using TorchSharp;

namespace Rlhf.Tests.Training;

/// <summary><see cref="CriticFreeTraining.Run"/> (GRPO, RLOO) and <c>rlhf grpo</c> on tiny SFT and reward checkpoints written
/// here with the course tokenizer, on the real TinyWorld prompts.</summary>
[Collection(GlobalRandomRuns.Name)]
public sealed class CriticFreeTrainingTests : IDisposable
{
    readonly TinyCheckpoints checkpoints = new("rlhf-grpo-");
    readonly string root, sft, rm;

    public CriticFreeTrainingTests() => (root, sft, rm) = (checkpoints.Root, checkpoints.Sft, checkpoints.RewardModel);

    public void Dispose() => checkpoints.Dispose();

    GrpoOptions Options(string output) => new()
    {
        Training = CriticFreeOptions.DefaultTraining with { MaxSteps = 2, BatchSize = 8 }, NumGenerations = 4, MaxCompletionLength = 6,
        InputCheckpoint = sft, RewardCheckpoint = rm, OutputFolder = output, DataFolder = Repo.Path("data", "tinyworld"),
        RewardFuncs = ["reward_model", "verifiable"], RewardWeights = [1, 2],
    };

    [Fact]
    public void Grpo_trains_from_checkpoints_with_both_rewards_and_writes_a_loadable_policy()
    {
        var output = Path.Combine(root, "grpo");
        var result = CriticFreeTraining.Run(Options(output));
        Assert.Equal(2, result.History.Rows.Count);
        foreach (var name in new[] { "rewards/reward_model/mean", "rewards/verifiable/scored_fraction", "reward", "gold/score", "frac_reward_zero_std" })
            Assert.Contains(name, result.History.Names);
        Assert.Equal("grpo", Checkpoint.ReadMetadata(output)["stage"]);
        Assert.Contains("\"reward_funcs\"", Checkpoint.ReadMetadata(output)["options"]);
        using var trained = Checkpoint.LoadGpt(output);
        using var start = Checkpoint.LoadGpt(sft);
        Assert.Contains(trained.parameters().Zip(start.parameters()), p => !p.First.allclose(p.Second));
    }

    [Fact]
    public void Resume_continues_an_interrupted_run_with_the_metrics_of_an_uninterrupted_one()
    {
        var options = Options(Path.Combine(root, "whole")) with
        {
            Training = CriticFreeOptions.DefaultTraining with { MaxSteps = 4, BatchSize = 8, CheckpointEvery = 2 }, Beta = 0.05, NumIterations = 2,
        };
        var whole = CriticFreeTraining.Run(options);
        var checkpoint = Path.Combine(root, "whole", "checkpoints", "step-000002");
        var resumed = CriticFreeTraining.Run(options with { OutputFolder = Path.Combine(root, "resumed"), ResumeFrom = checkpoint });
        foreach (var name in new[] { "reward", "kl", "loss", "learning_rate", "completions/mean_length" })
        {
            var expected = whole.History.Series(name).Select(p => p.Value).ToArray();
            var actual = resumed.History.Series(name).Select(p => p.Value).ToArray();
            Assert.Equal(4, actual.Length);
            for (int i = 0; i < 4; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                $"{name} at step {i + 1}: uninterrupted {expected[i]}, resumed {actual[i]}");
        }
        var changed = options with { NumGenerations = 2, OutputFolder = Path.Combine(root, "other"), ResumeFrom = checkpoint };
        var error = Assert.Throws<ArgumentException>(() => CriticFreeTraining.Run(changed));
        Assert.Contains("num_generations 4 -> 2", error.Message);
    }

    [Fact]
    public void Prompt_kinds_keep_only_checkable_prompts_so_the_verifiable_reward_scores_every_completion()
    {
        var options = Options(Path.Combine(root, "checkable")) with
        {
            RewardFuncs = ["verifiable"], RewardWeights = null,
            PromptKinds = [TaskKind.Arithmetic, TaskKind.CountLetter, TaskKind.ReverseWord],
        };
        var result = CriticFreeTraining.Run(options);
        Assert.All(result.History.Series("rewards/verifiable/scored_fraction"), p => Assert.Equal(1.0, p.Value));
        var bound = OptionsBinder.Bind(new GrpoOptions(), null, ["prompt_kinds=[\"arithmetic\", \"count_letter\"]"]);
        Assert.Equal([TaskKind.Arithmetic, TaskKind.CountLetter], bound.PromptKinds);
    }

    [Fact]
    public void Rloo_runs_from_checkpoints_with_the_kl_in_the_reward()
    {
        var options = new RlooOptions
        {
            Training = CriticFreeOptions.DefaultTraining with { MaxSteps = 2, BatchSize = 8 }, NumGenerations = 4, MaxCompletionLength = 6,
            InputCheckpoint = sft, RewardCheckpoint = rm, OutputFolder = Path.Combine(root, "rloo"), DataFolder = Repo.Path("data", "tinyworld"),
        };
        var result = CriticFreeTraining.Run(options);
        Assert.Contains("objective/rlhf_reward", result.History.Names);
        Assert.Equal("rloo", Checkpoint.ReadMetadata(options.OutputFolder!)["stage"]);
    }

    [Fact]
    public void Cli_grpo_trains_and_names_a_bad_option()
    {
        var output = Path.Combine(root, "cli");
        var (code, text) = Repo.RunCli(null, ["grpo", "--set", "training.max_steps=1", "--set", "training.batch_size=8", "--set", "num_generations=4",
            "--set", "max_completion_length=6", "--set", $"input_checkpoint={sft}", "--set", $"reward_checkpoint={rm}", "--out", output]);
        Assert.True(code == 0, text);
        Assert.True(File.Exists(Path.Combine(output, Checkpoint.WeightsFile)));
        var (bad, message) = Repo.RunCli(null, ["grpo", "--set", "num_generations=3"]);
        Assert.Equal(2, bad);
        Assert.Contains("grpo option 'training.batch_size'", message);
    }
}
