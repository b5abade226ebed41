using System.Text.Json.Nodes;
using Rlhf.Checkpoints;

namespace Rlhf.Tests.Cli;

/// <summary><c>rlhf dpo</c> run as a subprocess from a tiny checkpoint this test writes, options set with --set.</summary>
public sealed class DpoCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-dpo-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Dpo_trains_from_a_checkpoint_with_the_options_set_on_the_command_line()
    {
        var start = TinyCheckpoint.Save(Path.Combine(root, "start"), contextLength: 64, seed: 4);
        var output = Path.Combine(root, "dpo");

        var (exitCode, text) = Repo.RunCli(null, "dpo", "--set", $"input_checkpoint={start}", "--set", $"data_folder={Repo.Path("data", "tinyworld")}",
            "--set", "loss=ipo", "--set", "beta=0.5", "--set", "max_train_pairs=8", "--set", "eval_pairs=4", "--set", "gold_prompts_per_kind=1",
            "--set", "max_steps=2", "--set", "batch_size=2", "--set", "warmup_steps=0", "--out", output);

        Assert.True(exitCode == 0, text);
        Assert.Contains("8 training pairs, 4 held-out pairs", text);
        Assert.True(File.Exists(Path.Combine(output, Checkpoint.WeightsFile)));
        var saved = JsonNode.Parse(File.ReadAllText(Path.Combine(output, Rlhf.Training.DpoTraining.OptionsFile)))!;
        Assert.Equal("ipo", (string?)saved["loss"]);
        Assert.Equal(0.5, (double)saved["beta"]!);
        Assert.Equal("dpo", Checkpoint.ReadMetadata(output)["stage"]);
        var history = File.ReadAllText(Path.Combine(output, "history.json"));
        Assert.Contains("eval/rewards/accuracies", history);
        Assert.Contains("eval/gold/gold_mean", history);
    }

    [Fact]
    public void Pairs_with_identical_answers_are_kept_but_reported_and_the_objective_is_named()
    {
        var start = TinyCheckpoint.Save(Path.Combine(root, "start"), contextLength: 64, seed: 4);
        var data = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        File.WriteAllLines(Path.Combine(data, "pairs.jsonl"),
        [
            """{"prompt":"What is 2 + 2?","chosen":"4","rejected":"5"}""",
            """{"prompt":"What is 3 + 3?","chosen":"6","rejected":"6"}""",
            """{"prompt":"What is 4 + 4?","chosen":"8","rejected":"8"}""",
            """{"prompt":"What is 5 + 5?","chosen":"10","rejected":"11"}""",
        ]);

        var (exitCode, text) = Repo.RunCli(null, "dpo", "--set", $"input_checkpoint={start}", "--set", $"data_folder={data}",
            "--set", "train_file=pairs.jsonl", "--set", "eval_file=pairs.jsonl", "--set", "gold_prompts_per_kind=0",
            "--set", "max_steps=1", "--set", "batch_size=2", "--set", "warmup_steps=0", "--out", Path.Combine(root, "identical"));

        Assert.True(exitCode == 0, text);
        Assert.Contains("objective: DPO + NLL (2)", text);
        Assert.Contains("warning: 2 of 4 pairs", text);
        Assert.Contains("(lines 2, 3)", text);
    }

    [Fact]
    public void An_unknown_loss_is_an_error_naming_the_option()
    {
        var (exitCode, text) = Repo.RunCli(null, "dpo", "--set", "loss=hinge");
        Assert.Equal(2, exitCode); // bad options are a usage error for every training verb
        Assert.Contains("loss", text);
    }

    [Fact]
    public void Dpo_seeds_trains_one_policy_per_seed_against_one_evaluation_of_the_start()
    {
        var start = TinyCheckpoint.Save(Path.Combine(root, "start"), contextLength: 64, seed: 4);
        var output = Path.Combine(root, "seeds");

        var (exitCode, text) = Repo.RunCli(null, "dpo", "--seeds", "5, 6", "--set", $"input_checkpoint={start}", "--set", "max_train_pairs=8",
            "--set", "eval_pairs=4", "--set", "gold_prompts_per_kind=1", "--set", "max_steps=2", "--set", "batch_size=2", "--set", "warmup_steps=0",
            "--set", "learning_rate=1e-2", "--out", output);

        Assert.True(exitCode == 0, text);
        var saved5 = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "seed-5", Rlhf.Training.DpoTraining.OptionsFile)))!;
        Assert.Equal(5, (long)saved5["training"]!["seed"]!);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "seeds.json")))!;
        var runs = summary["runs"]!.AsArray();
        Assert.Equal([5L, 6L], runs.Select(r => (long)r!["seed"]!));
        Assert.Equal((double)runs[0]!["start_gold_mean"]!, (double)runs[1]!["start_gold_mean"]!); // the start is evaluated once
        Assert.Null(summary["kl_to_start"]);                                                       // DPO does not measure it
        using var first = Checkpoint.LoadGpt(Path.Combine(output, "seed-5"));
        using var second = Checkpoint.LoadGpt(Path.Combine(output, "seed-6"));
        Assert.Contains(first.named_parameters().Zip(second.named_parameters()), p => !p.First.parameter.allclose(p.Second.parameter));
    }

    [Fact]
    public void Bad_seed_lists_are_usage_errors_naming_the_option()
    {
        var (twice, twiceText) = Repo.RunCli(null, "dpo", "--seeds", "3,3");
        Assert.Equal(2, twice);
        Assert.Contains("--seeds: seed 3 is listed twice", twiceText);
        var (resumed, resumedText) = Repo.RunCli(null, "dpo", "--seeds", "3", "--resume", Path.Combine(root, "nowhere"));
        Assert.Equal(2, resumed);
        Assert.Contains("--resume", resumedText);
    }
}
