using Rlhf.Evaluation;
using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;

namespace Rlhf.Tests.Training;

/// <summary><see cref="PpoTraining.Run"/> and <c>rlhf ppo</c> on tiny SFT and reward checkpoints written here with the
/// course tokenizer, on the real TinyWorld rollout prompts.</summary>
[Collection(GlobalRandomRuns.Name)]
public sealed class PpoTrainingTests : IDisposable
{
    readonly TinyCheckpoints checkpoints = new("rlhf-ppo-");
    readonly string root, sft, rm;

    public PpoTrainingTests() => (root, sft, rm) = (checkpoints.Root, checkpoints.Sft, checkpoints.RewardModel);

    public void Dispose() => checkpoints.Dispose();

    PpoOptions Options(string output) => new()
    {
        Training = PpoOptions.DefaultTraining with { MaxSteps = 2 }, RolloutBatchSize = 4, NumMiniBatches = 2, PpoEpochs = 1, ResponseLength = 6,
        Ptx = PpoOptions.DefaultPtx with { Coef = 10, WindowLength = 32 }, InputCheckpoint = sft, RewardCheckpoint = rm, OutputFolder = output, DataFolder = Repo.Path("data", "tinyworld"),
    };

    [Fact]
    public void The_critic_starts_on_the_scale_of_the_normalised_scores_it_learns_to_predict()
    {
        using var setup = new PpoSetup(Options(Path.Combine(root, "critic")));
        using var reward = RewardModel.Load(rm);
        var (ids, mask) = Rlhf.Generation.GenerationEngine.LeftPad([[5, 6, 7, 8], [9, 10], [11, 12, 13]], reward.Tokenizer.PadId, TorchRuntime.Device);

        using var raw = reward.RawScore(ids, mask);          // (B)
        using var normalised = reward.Score(ids, mask);      // (raw - 0.5) / 2
        using var values = setup.Critic.LastTokenValues(ids, mask); // (B)

        Assert.True(values.allclose(normalised, rtol: 1e-4, atol: 1e-5), $"critic {values.str()} vs normalised scores {normalised.str()}");
        Assert.False(raw.allclose(normalised, rtol: 1e-2, atol: 1e-3)); // the normalisation is not the identity here
    }

    [Fact]
    public void Ppo_from_the_shipped_sft_raises_the_shipped_reward_models_score_on_held_out_prompts()
    {
        // The real thing at a small size: the shipped SFT policy and reward model, plain PPO (no ptx), a dozen iterations.
        // The reward model's mean normalised score of the greedy answers to 42 held-out prompts must rise by a stated amount.
        string shippedSft = Repo.Path("data", "checkpoints", "sft"), shippedRm = Repo.Path("data", "checkpoints", "rm");
        var options = new PpoOptions
        { Training = PpoOptions.DefaultTraining with { MaxSteps = 16, LearningRate = 1e-3 }, Ptx = PpoOptions.DefaultPtx with { Coef = 0 }, InputCheckpoint = shippedSft, RewardCheckpoint = shippedRm, DataFolder = Repo.Path("data", "tinyworld"), OutputFolder = Path.Combine(root, "climb"), RolloutBatchSize = 16, NumMiniBatches = 2, KlCoef = 0.02 };
        using var reward = RewardModel.Load(shippedRm);
        var evaluator = new Rlhf.Evaluation.PolicyEvaluator(reward.Tokenizer, new Rlhf.Evaluation.PolicyEvaluationOptions
        {
            PromptsFile = Repo.Path("data", "tinyworld", "eval_prompts.txt"), MaxPromptsPerKind = 6,
        });
        var prompts = evaluator.LoadPrompts();
        double Score(string folder)
        {
            using var policy = Checkpoint.LoadGpt(folder);
            return evaluator.Evaluate("policy", policy, prompts, reference: null, reward).Metrics.RewardScore!.Mean;
        }

        double before = Score(shippedSft);
        PpoTraining.Run(options);
        double after = Score(options.OutputFolder);

        Assert.True(prompts.Count >= 40, $"{prompts.Count} prompts");
        // Measured here: -0.091 -> 0.257 (+0.35).
        Assert.True(after > before + 0.2, $"the reward model's mean score on {prompts.Count} held-out prompts should rise by more than 0.2: {before:F3} -> {after:F3}");
    }

    [Fact]
    public void Run_trains_from_checkpoints_logs_gold_scores_and_writes_a_loadable_policy()
    {
        var output = Path.Combine(root, "out");
        var result = PpoTraining.Run(Options(output));
        Assert.Equal(2, result.History.Rows.Count);
        // Every rollout gets a gold score in [0, 1]; the random policy's responses never end, so the penalty applies.
        var gold = result.History.Series("gold/score").Select(p => p.Value).ToList();
        Assert.Equal(2, gold.Count);
        Assert.All(gold, g => Assert.InRange(g, 0.0, 1.0));
        Assert.True(File.Exists(Path.Combine(output, "history.json")));
        using var trained = Checkpoint.LoadGpt(output);
        using var original = Checkpoint.LoadGpt(sft);
        var changed = trained.named_parameters().Zip(original.named_parameters())
            .Count(p => !p.First.parameter.allclose(p.Second.parameter));
        Assert.True(changed > 0, "PPO updated no policy parameter");
        Assert.Equal("ppo", Checkpoint.ReadMetadata(output)["stage"]);
        Assert.Equal("PPO-ptx (10)", Checkpoint.ReadMetadata(output)["objective"]);
    }

    [Fact]
    public void Resume_continues_an_interrupted_run_with_the_metrics_of_an_uninterrupted_one()
    {
        // Adaptive KL and ptx on, so the resumed state must carry the KL coefficient, Adam's moments and the ptx step.
        var options = Options(Path.Combine(root, "whole")) with
        {
            Training = PpoOptions.DefaultTraining with { MaxSteps = 4, CheckpointEvery = 2 }, AdaptiveKl = true, KlCoef = 0.1, Horizon = 8,
        };
        var whole = PpoTraining.Run(options);
        var checkpoint = Path.Combine(root, "whole", "checkpoints", "step-000002");
        Assert.True(Directory.Exists(Path.Combine(checkpoint, "critic")), "a PPO step checkpoint holds the critic");
        Assert.False(Directory.Exists(Path.Combine(root, "whole", "checkpoints", "step-000004")), "the last iteration writes only the final policy");

        var resumed = PpoTraining.Run(options with { OutputFolder = Path.Combine(root, "resumed"), ResumeFrom = checkpoint });
        Assert.Equal(whole.History.Rows.Select(r => r.Step), resumed.History.Rows.Select(r => r.Step));
        foreach (var name in new[] { "objective/scores", "objective/kl", "objective/kl_coef", "loss/policy", "loss/value", "loss/ptx", "gold/score", "learning_rate" })
        {
            var expected = whole.History.Series(name).Select(p => p.Value).ToArray();
            var actual = resumed.History.Series(name).Select(p => p.Value).ToArray();
            Assert.Equal(4, actual.Length);
            for (int i = 0; i < 4; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])),
                $"{name} at iteration {i + 1}: uninterrupted {expected[i]}, resumed {actual[i]}");
        }
        using var a = Checkpoint.LoadGpt(Path.Combine(root, "whole"));
        using var b = Checkpoint.LoadGpt(Path.Combine(root, "resumed"));
        Assert.All(a.parameters().Zip(b.parameters()), p => Assert.True(p.First.allclose(p.Second, rtol: 1e-5, atol: 1e-6)));

        var changed = options with { RolloutBatchSize = 8, OutputFolder = Path.Combine(root, "other"), ResumeFrom = checkpoint };
        var error = Assert.Throws<ArgumentException>(() => PpoTraining.Run(changed));
        Assert.Contains("rollout_batch_size 4 -> 8", error.Message);
    }

    [Fact]
    public void Options_PPO_does_not_use_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => OptionsBinder.Bind(new PpoOptions(), null, ["training.batch_size=8"]).Validate());
        Assert.Contains("'training.batch_size' is not used by PPO", error.Message);
        var bound = OptionsBinder.Bind(new PpoOptions(), null, ["max_steps=7", "seed=5", "ptx.coef=0", "training.log_directory=tb"]);
        Assert.Equal((7, 5L, "PPO", "tb"), (bound.Iterations, bound.Seed, bound.ObjectiveName, bound.Training.LogDirectory));
    }

    [Fact]
    public void Prompts_the_gold_judge_does_not_know_train_without_a_gold_score()
    {
        var data = Path.Combine(root, "own-data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, PpoTraining.PromptsFile), "Tell me a joke about cats.\nWrite a haiku about rain.\n");
        File.Copy(Repo.Path("data", "tinyworld", PpoTraining.CorpusFile), Path.Combine(data, PpoTraining.CorpusFile));
        var result = PpoTraining.Run(Options(Path.Combine(root, "own")) with { DataFolder = data, RolloutBatchSize = 2, NumMiniBatches = 1 });
        Assert.Equal(2, result.History.Series("objective/scores").Count);
        Assert.Empty(result.History.Series("gold/score"));
    }

    [Fact]
    public void Prompts_file_errors_name_the_file_and_line()
    {
        var path = Path.Combine(root, "prompts.txt");
        File.WriteAllText(path, "Compute 1 + 2.\n\nWhat is 3 - 1?\n");
        var template = new ChatTemplate(TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer")));
        var error = Assert.Throws<InvalidDataException>(() => PpoTraining.LoadPrompts(path, template, 64));
        Assert.Contains("line 2", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Cli_ppo_binds_set_overrides_and_rejects_unknown_options()
    {
        var output = Path.Combine(root, "cli");
        var (code, text) = Repo.RunCli(null, "ppo", "--set", "max_steps=1", "--set", "rollout_batch_size=2", "--set", "num_mini_batches=1",
            "--set", "ppo_epochs=1", "--set", "response_length=4", "--set", $"input_checkpoint={sft}", "--set", $"reward_checkpoint={rm}",
            "--set", "kl_coef=0.2", "--set", "ptx.window_length=32", "--out", output);
        Assert.True(code == 0, text);
        Assert.Contains("objective/kl_coef", File.ReadAllText(Path.Combine(output, "history.json")));
        Assert.Contains("\"kl_coef\": 0.2", Checkpoint.ReadMetadata(output)["options"]);

        var (badCode, badText) = Repo.RunCli(null, "ppo", "--set", "kl_coefficient=0.2");
        Assert.Equal(2, badCode);
        Assert.Contains("kl_coef", badText);
    }

    [Fact]
    public void Cli_ppo_resume_continues_from_a_step_checkpoint()
    {
        var output = Path.Combine(root, "cli-resume");
        string[] common = ["--set", "max_steps=2", "--set", "rollout_batch_size=2", "--set", "num_mini_batches=1", "--set", "ppo_epochs=1",
            "--set", "response_length=4", "--set", $"input_checkpoint={sft}", "--set", $"reward_checkpoint={rm}", "--set", "ptx.window_length=32",
            "--set", "checkpoint_every=1"];
        var (code, text) = Repo.RunCli(null, ["ppo", .. common, "--out", output]);
        Assert.True(code == 0, text);
        var (resumedCode, resumedText) = Repo.RunCli(null, ["ppo", .. common, "--out", output + "-b", "--resume", Path.Combine(output, "checkpoints", "step-000001")]);
        Assert.True(resumedCode == 0, resumedText);
        var whole = MetricsHistory.Load(Path.Combine(output, "history.json")).Series("objective/scores");
        var resumed = MetricsHistory.Load(Path.Combine(output + "-b", "history.json")).Series("objective/scores");
        Assert.Equal(2, resumed.Count);
        Assert.Equal(whole[1].Value, resumed[1].Value, 5);
    }

    [Fact]
    public void Comparison_reuses_a_given_reference_evaluation_only_for_the_same_prompts()
    {
        var tokenizer = TextTokenizer.Load(sft);
        using var policy = Checkpoint.LoadGpt(sft);
        using var reference = Checkpoint.LoadGpt(sft);
        var greedy = Rlhf.Evaluation.PolicyEvaluationOptions.Greedy;
        var evaluation = greedy with { PromptsFile = Repo.Path("data", "tinyworld", "eval_prompts.txt"), MaxPromptsPerKind = 1, Generation = greedy.Generation with { MaxNewTokens = 4 } };
        var fresh = PpoComparison.Measure(policy, reference, tokenizer, evaluation, 0.7, 4, seed: 1);
        var reused = PpoComparison.Measure(policy, reference, tokenizer, evaluation, 0.7, 4, seed: 1, fresh.Reference);
        Assert.Same(fresh.Reference, reused.Reference);
        Assert.Equal(fresh.GoldWinRate, reused.GoldWinRate);
        Assert.Equal(0.5, reused.GoldWinRate); // the same weights answer alike: every prompt ties

        var otherPrompts = Rlhf.Evaluation.PolicyEvaluation.FromSamples("sft", "greedy", fresh.Reference.Samples.Skip(1).ToList());
        Assert.Throws<ArgumentException>(() => PpoComparison.Measure(policy, reference, tokenizer, evaluation, 0.7, 4, seed: 1, otherPrompts));
    }

    [Fact]
    public void Cli_ppo_seeds_trains_and_evaluates_one_policy_per_seed_and_writes_the_spread()
    {
        var output = Path.Combine(root, "seeds");
        var (code, text) = Repo.RunCli(null, "ppo", "--seeds", "3,4", "--set", "max_steps=1", "--set", "rollout_batch_size=2", "--set", "num_mini_batches=1",
            "--set", "ppo_epochs=1", "--set", "response_length=4", "--set", $"input_checkpoint={sft}", "--set", $"reward_checkpoint={rm}",
            "--set", "ptx.window_length=32", "--out", output);
        Assert.True(code == 0, text);
        foreach (var seed in new[] { 3, 4 })
        {
            var folder = Path.Combine(output, $"seed-{seed}");
            Assert.True(File.Exists(Path.Combine(folder, "comparison.json")), $"no comparison for seed {seed}");
            Assert.Contains($"\"seed\": {seed}", Checkpoint.ReadMetadata(folder)["options"]);
        }
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "seeds.json")))!;
        var runs = summary["runs"]!.AsArray();
        Assert.Equal([3L, 4L], runs.Select(r => (long)r!["seed"]!));
        Assert.All(runs, r => Assert.InRange((double)r!["win_rate"]!, 0.0, 1.0));
        Assert.All(runs, r => Assert.NotNull(r!["kl_to_start"]));
        Assert.Equal(2, (int)summary["gold_mean"]!["count"]!);
        Assert.Contains("gold mean above SFT's for", text);

        var (badCode, badText) = Repo.RunCli(null, "ppo", "--seeds", "3,three");
        Assert.Equal(2, badCode);
        Assert.Contains("--seeds: 'three'", badText);
    }
}
