using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;

namespace Rlhf.Tests.Cli;

/// <summary><c>rlhf dpo</c> run as a subprocess from a tiny checkpoint this test writes, options set with --set.</summary>
public sealed class DpoCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-dpo-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Dpo_trains_from_a_checkpoint_with_the_options_set_on_the_command_line()
    {
        TorchRuntime.Init();
        var config = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = 64, VocabularySize = 2048 }; // the tokenizer's ids only: a random model samples any id it has
        torch.manual_seed(4);
        var start = Path.Combine(root, "start");
        using (var model = new Gpt(config, TorchRuntime.Device))
            Checkpoint.Save(start, model, config, Repo.Path("data", "tinyworld", "tokenizer"));
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
    public void An_unknown_loss_is_an_error_naming_the_option()
    {
        var (exitCode, text) = Repo.RunCli(null, "dpo", "--set", "loss=hinge");
        Assert.Equal(2, exitCode); // bad options are a usage error for every training verb
        Assert.Contains("loss", text);
    }
}
