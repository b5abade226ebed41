using Rlhf.Checkpoints;
using Rlhf.Tests.Checkpoints;
using Rlhf.Torch;
using Rlhf.Training;

namespace Rlhf.Tests.Training;

/// <summary>The <c>gpt2-small</c> preset end to end, SFT -> reward model -> DPO and PPO, from the CLI on a tiny GPT-2 generated
/// here in the HF layout (only the step counts and sizes are turned down).</summary>
[Collection(GlobalRandomRuns.Name)]
public sealed class Gpt2SmallPresetTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-gpt2-preset-").FullName;

    public Gpt2SmallPresetTests() => TorchRuntime.Init();

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void The_preset_keeps_the_gpt2_hyperparameters()
    {
        Assert.Equal((5e-6, 5e-7, 0.1, 0.0), (Gpt2SmallPreset.Sft.Training.LearningRate, Gpt2SmallPreset.Dpo.Training.LearningRate,
            Gpt2SmallPreset.Dpo.Beta, Gpt2SmallPreset.Dpo.SftWeight));
        Assert.Equal(("out/gpt2-sft", "out/gpt2-sft", "out/gpt2-sft"), (Gpt2SmallPreset.Sft.OutputFolder, Gpt2SmallPreset.Dpo.InputCheckpoint, Gpt2SmallPreset.Ppo.InputCheckpoint));
        foreach (var options in new object[] { Gpt2SmallPreset.Sft.Validate(), Gpt2SmallPreset.RewardModel, Gpt2SmallPreset.Dpo, Gpt2SmallPreset.Ppo.Validate() })
            Assert.NotNull(options);
        Assert.Null(Gpt2SmallPreset.For<SftOptions>("gpt3"));
    }

    [Fact]
    public void Sft_then_reward_model_then_dpo_and_ppo_run_from_the_cli_on_a_tiny_gpt2()
    {
        var tokenizerFolder = Path.Combine(root, "tokenizer");
        int vocabulary = TinyHfGpt2.WriteTokenizer(tokenizerFolder).VocabularySize - 1;
        var gpt2 = Path.Combine(root, "gpt2");
        new TinyHfGpt2(vocabulary, seed: 5, context: 192).Write(gpt2, tokenizerFolder, withPrefix: true);
        string samples = Repo.Path("data", "samples"), data = Repo.Path("data", "tinyworld");
        string Out(string stage) => Path.Combine(root, stage);
        (int, string) Run(params string[] args) => Repo.RunCli(null, args);
        string[] small = ["--set", "training.max_steps=2", "--set", "training.batch_size=2", "--set", "training.gradient_accumulation_steps=1", "--set", "training.warmup_steps=0",
            "--set", "training.eval_every=0", "--set", "training.checkpoint_every=0"];

        var (code, text) = Run(["sft", "--preset", "gpt2-small", "--set", $"input_checkpoint={gpt2}", "--set", $"data_folder={data}",
            "--set", $"train_file={Path.Combine(samples, "chat_sft.jsonl")}", "--set", "eval_examples=4", "--set", "max_length=96",
            "--set", "evaluation.max_prompts_per_kind=1", "--set", "evaluation.generation.max_new_tokens=2", .. small, "--out", Out("sft")]);
        Assert.True(code == 0, text);
        Assert.Contains("learning_rate\": 5E-06", File.ReadAllText(Path.Combine(Out("sft"), SftTraining.OptionsFile)), StringComparison.OrdinalIgnoreCase);

        (code, text) = Run(["rm", "--preset", "gpt2-small", "--set", $"init_from={Out("sft")}", "--set", $"data_folder={data}",
            "--set", $"train_file={Path.Combine(samples, "hh_rlhf.jsonl")}", "--set", $"eval_file={Path.Combine(samples, "hh_rlhf.jsonl")}",
            "--set", "max_length=96", "--set", "eval_pairs=4", "--set", "train_eval_pairs=0", "--set", "normalization_prompts=4",
            "--set", "normalization_max_new_tokens=2", .. small, "--out", Out("rm")]);
        Assert.True(code == 0, text);

        (code, text) = Run(["dpo", "--preset", "gpt2-small", "--set", $"input_checkpoint={Out("sft")}", "--set", $"data_folder={data}",
            "--set", $"train_file={Path.Combine(samples, "pairs.parquet")}", "--set", $"eval_file={Path.Combine(samples, "pairs.parquet")}",
            "--set", "max_train_pairs=4", "--set", "eval_pairs=4", "--set", "gold_prompts_per_kind=0", .. small, "--out", Out("dpo")]);
        Assert.True(code == 0, text);
        Assert.Contains("DPO", text);

        (code, text) = Run(["ppo", "--preset", "gpt2-small", "--set", $"input_checkpoint={Out("sft")}", "--set", $"reward_checkpoint={Out("rm")}",
            "--set", $"data_folder={data}", "--set", "max_steps=1", "--set", "rollout_batch_size=2", "--set", "num_mini_batches=1",
            "--set", "ppo_epochs=1", "--set", "response_length=4", "--set", "checkpoint_every=0", "--out", Out("ppo")]);
        Assert.True(code == 0, text);
        using var policy = Checkpoint.LoadGpt(Out("ppo"));
        Assert.Equal(vocabulary + 1, policy.Config.VocabularySize); // GPT-2's tokens and the pad our tokenizer appends
    }
}
