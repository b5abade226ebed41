using Rlhf.Evaluation;
using Rlhf.Tests.Models;
using Rlhf.Training;
using Rlhf.World;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>GRPO, RLOO and Best-of-N: advantages, loss normalisations and KL against hand-computed values; the trainer end to end on a tiny model.</summary>
public class GrpoTests
{
    public GrpoTests() => Rlhf.Torch.TorchRuntime.Init();

    static double[] Values(Tensor t) => t.to(ScalarType.Float64).cpu().data<double>().ToArray();

    [Fact]
    public void Group_relative_advantages_match_hand_computed_values_for_each_scaling()
    {
        using var scope = NewDisposeScope();
        var rewards = tensor(new float[] { 1, 0, 0, 1, 2, 2, 2, 2 });
        // Group 1: mean 0.5, unbiased std sqrt(1/3) = 0.57735; group 2 all equal: advantage 0.
        var group = Values(GroupAdvantages.GroupRelative(rewards, 4, RewardScaling.Group));
        Assert.Equal(new[] { 0.86588, -0.86588, -0.86588, 0.86588, 0, 0, 0, 0 }, group.Select(v => Math.Round(v, 5)));
        // Batch std of all eight rewards: sqrt(5.5 / 7) = 0.886405.
        var batch = Values(GroupAdvantages.GroupRelative(rewards, 4, RewardScaling.Batch));
        Assert.Equal(0.5 / (0.886405 + 1e-4), batch[0], 4);
        Assert.Equal(new[] { 0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0 }, Values(GroupAdvantages.GroupRelative(rewards, 4, RewardScaling.None)));
        Assert.Equal(0.5, GroupAdvantages.ZeroStdFraction(rewards, 4), 6);
        Assert.Throws<ArgumentException>(() => GroupAdvantages.GroupRelative(rewards, 3, RewardScaling.Group));
    }

    [Fact]
    public void Leave_one_out_advantages_subtract_the_mean_of_the_other_completions()
    {
        using var scope = NewDisposeScope();
        // [1, 0, 0, 1]: a 1's baseline is (0 + 0 + 1) / 3, a 0's (1 + 0 + 1) / 3. [3, 1]: 3 - 1 and 1 - 3.
        var advantages = Values(GroupAdvantages.LeaveOneOut(tensor(new float[] { 1, 0, 0, 1 }), 4));
        Assert.Equal(new[] { 2 / 3.0, -2 / 3.0, -2 / 3.0, 2 / 3.0 }, advantages.Select(v => Math.Round(v, 6)), new RoundedComparer());
        Assert.Equal(new[] { 2.0, -2.0 }, Values(GroupAdvantages.LeaveOneOut(tensor(new float[] { 3, 1 }), 2)));
        Assert.Throws<ArgumentException>(() => GroupAdvantages.LeaveOneOut(tensor(new float[] { 3 }), 1));
    }

    sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-5;
        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void The_clipped_surrogate_clips_high_at_epsilon_high_and_low_at_epsilon_and_adds_the_k3_kl()
    {
        using var scope = NewDisposeScope();
        var old = zeros(3, 1);
        // Ratios 1.5, 0.5, 1.5 with advantages +1, -1, -1 (eps 0.2, eps_high 0.28).
        var logProbs = tensor(new float[] { MathF.Log(1.5f), MathF.Log(0.5f), MathF.Log(1.5f) }).reshape(3, 1);
        var advantages = tensor(new float[] { 1, -1, -1 });
        var loss = GrpoLoss.PerToken(logProbs, old, advantages, null, 0, 0.2, 0.28);
        // -min(1.5, 1.28) = -1.28; -min(-0.5, -0.8) = 0.8; -min(-1.5, -1.28) = 1.5 (the pessimistic branch: no clip for A < 0 above 1).
        Assert.Equal(new[] { -1.28, 0.8, 1.5 }, Values(loss.PerToken).Select(v => Math.Round(v, 5)));
        Assert.Equal(new[] { 0.0, 1, 0 }, Values(loss.LowClipped));
        Assert.Equal(new[] { 1.0, 0, 0 }, Values(loss.HighClipped));
        Assert.Null(loss.Kl);

        // k3 with ref - logp = ln 2: 2 - ln 2 - 1 = 0.306853; beta 0.1 on a zero advantage.
        var same = zeros(1, 1);
        var withKl = GrpoLoss.PerToken(same, same, zeros(1), tensor(new float[] { MathF.Log(2) }).reshape(1, 1), 0.1, 0.2, 0.2);
        Assert.Equal(0.306853, Values(withKl.Kl!)[0], 5);
        Assert.Equal(0.0306853, Values(withKl.PerToken)[0], 6);
        Assert.Throws<ArgumentException>(() => GrpoLoss.PerToken(same, same, zeros(1), null, 0.1, 0.2, 0.2));
    }

    [Fact]
    public void Each_loss_type_normalises_as_its_paper_says()
    {
        using var scope = NewDisposeScope();
        var perToken = tensor(new float[] { 1, 2, 3, 4, 0, 0 }).reshape(2, 3);
        var mask = tensor(new float[] { 1, 1, 1, 1, 0, 0 }).reshape(2, 3);
        // grpo: (6/3 + 4/1) / 2 = 3; bnpo and dapo: 10 / 4 tokens = 2.5; dr_grpo: 10 / (2 completions x 4 max tokens) = 1.25.
        Assert.Equal(3.0, GrpoLoss.Aggregate(perToken, mask, GrpoLossType.Grpo, 4).item<float>(), 5);
        Assert.Equal(2.5, GrpoLoss.Aggregate(perToken, mask, GrpoLossType.Bnpo, 4).item<float>(), 5);
        Assert.Equal(2.5, GrpoLoss.Aggregate(perToken, mask, GrpoLossType.Dapo, 4).item<float>(), 5);
        Assert.Equal(1.25, GrpoLoss.Aggregate(perToken, mask, GrpoLossType.DrGrpo, 4).item<float>(), 5);
    }

    [Fact]
    public void Best_of_n_kl_follows_the_analytic_formula_when_no_two_samples_tie()
    {
        Assert.Equal(Math.Log(4) - 0.75, BestOfN.AnalyticKl(4), 12);   // 0.636294
        Assert.Equal(0, BestOfN.AnalyticKl(1), 12);
        var distinct = Enumerable.Range(0, 20_000).Select(i => ($"answer {i}", (double)i)).ToList();
        Assert.Equal(BestOfN.AnalyticKl(4), BestOfN.EmpiricalKl(distinct, 4), 3);
        Assert.Equal(BestOfN.AnalyticKl(16), BestOfN.EmpiricalKl(distinct, 16), 2);
        // One answer sampled every time: choosing among copies changes nothing.
        Assert.Equal(0, BestOfN.EmpiricalKl(Enumerable.Repeat(("same", 1.0), 50).ToList(), 8), 12);
        // Two equally likely answers, N = 2: the better one with probability 3/4: KL = 3/4 ln(3/2) + 1/4 ln(1/2).
        var two = new List<(string, double)> { ("worse", 0), ("better", 1) };
        Assert.Equal(0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5), BestOfN.EmpiricalKl(two, 2), 12);
    }

    [Fact]
    public void The_verifiable_reward_checks_answers_on_training_prompts_and_refuses_held_out_ones()
    {
        var universe = new TaskUniverse(1234, 0.2);
        var training = (ArithmeticTask)universe.Training(TaskKind.Arithmetic)[0];
        var heldOut = universe.HeldOut(TaskKind.Arithmetic)[0];
        string prompt = WorldPrompts.Render(training, WorldLanguage.English, 0), heldOutPrompt = WorldPrompts.Render(heldOut, WorldLanguage.English, 0);
        var reward = new VerifiableReward([heldOutPrompt]);
        Assert.Equal(1.0, reward.Score(prompt, $"The answer is {training.Answer}."));
        Assert.Equal(0.0, reward.Score(prompt, $"The answer is {training.Answer + 1}."));
        Assert.Equal(0.0, reward.Score(prompt, "I'm sorry, but I can't help with that."));
        var fact = WorldPrompts.Render(universe.Training(TaskKind.Fact)[0], WorldLanguage.English, 0);
        Assert.Null(reward.Score(fact, "Paris."));                 // not checkable: no reward
        Assert.Null(reward.Score("Write me a poem.", "Roses."));   // not a world prompt
        var e = Assert.Throws<InvalidOperationException>(() => reward.Score(heldOutPrompt, "1"));
        Assert.Contains("held-out", e.Message);
    }

    /// <summary>The tiny-model reward of <see cref="TinyPpo"/> as a reward function: fraction of low-id tokens.</summary>
    sealed class LowTokens : IRewardFunction
    {
        public string Name => "low_tokens";
        public IReadOnlyList<double?> Score(CompletionBatch batch) => new RewardModelReward(new TinyPpo.LowTokenFraction()).Score(batch);
    }

    static (CriticFreeTrainer Trainer, IDisposable Models) Tiny(CriticFreeOptions options)
    {
        var policy = TinyModels.Gpt(seed: 3);
        var reference = options.Beta > 0 ? TinyModels.Gpt(seed: 3) : null;
        var random = new Random(11);
        var prompts = Enumerable.Range(0, 12)
            .Select(i => new PpoPrompt($"prompt {i}", Enumerable.Range(0, 2 + i % 4).Select(_ => random.Next(40)).ToArray())).ToList();
        var trainer = new CriticFreeTrainer(options, policy, reference, [new LowTokens()], prompts, TinyPpo.EndOfText, TinyPpo.Pad,
            ids => string.Join(' ', ids));
        return (trainer, new Disposer(trainer, policy, reference));
    }

    sealed record Disposer(params IDisposable?[] Items) : IDisposable
    {
        public void Dispose() { foreach (var item in Items) item?.Dispose(); }
    }

    static GrpoOptions TinyGrpo => new()
    {
        Training = CriticFreeOptions.DefaultTraining with { MaxSteps = 12, BatchSize = 32, LearningRate = 1e-2 },
        NumGenerations = 4, MaxCompletionLength = 6, RewardFuncs = ["reward_model"],
    };

    [Fact]
    public void Grpo_raises_a_synthetic_reward_on_a_tiny_model_and_logs_trl_metrics()
    {
        var (trainer, models) = Tiny(TinyGrpo);
        using var _ = models;
        var result = trainer.Train();
        var rewards = result.History.Series("reward").Select(p => p.Value).ToArray();
        double before = rewards.Take(3).Average(), after = rewards.TakeLast(3).Average();
        Assert.True(after > before + 0.15, $"mean reward should rise: {string.Join(", ", rewards.Select(r => r.ToString("F2")))}");
        foreach (var name in new[] { "reward", "reward_std", "rewards/low_tokens/mean", "frac_reward_zero_std", "completions/mean_length",
                     "completions/clipped_ratio", "entropy", "clip_ratio/region_mean", "clip_ratio/low_mean", "clip_ratio/high_mean" })
            Assert.Contains(name, result.History.Names);
        // One update per generation batch: pi_old is pi, the ratio is exactly 1 and the clip never binds.
        Assert.All(result.History.Series("policy/mean_ratio"), p => Assert.Equal(1.0, p.Value, 6));
        Assert.All(result.History.Series("clip_ratio/region_mean"), p => Assert.Equal(0.0, p.Value, 9));
        Assert.DoesNotContain("kl", result.History.Names); // beta 0: no reference, no KL
    }

    [Fact]
    public void Grpo_with_several_iterations_and_beta_clips_and_measures_the_kl()
    {
        var (trainer, models) = Tiny(TinyGrpo with { Training = TinyGrpo.Training with { MaxSteps = 4 }, NumIterations = 3, Beta = 0.04, EpsilonHigh = 0.28 });
        using var _ = models;
        var result = trainer.Train();
        Assert.Contains("kl", result.History.Names);
        Assert.True(result.History.Series("kl").Last().Value > 0);
        Assert.True(result.History.Series("policy/mean_ratio").Any(p => Math.Abs(p.Value - 1) > 1e-4), "later iterations move the ratio off 1");
    }

    [Fact]
    public void Rloo_raises_the_synthetic_reward_with_the_kl_in_its_reward()
    {
        var options = new RlooOptions
        {
            Training = CriticFreeOptions.DefaultTraining with { MaxSteps = 12, BatchSize = 32, LearningRate = 1e-2 },
            NumGenerations = 4, MaxCompletionLength = 6, Beta = 0.01,
        };
        var (trainer, models) = Tiny(options);
        using var _ = models;
        var result = trainer.Train();
        var rewards = result.History.Series("reward").Select(p => p.Value).ToArray();
        Assert.True(rewards.TakeLast(3).Average() > rewards.Take(3).Average() + 0.15, string.Join(", ", rewards.Select(r => r.ToString("F2"))));
        Assert.Contains("objective/rlhf_reward", result.History.Names);
        Assert.True(result.History.Series("kl").Last().Value > 0);
    }

    [Fact]
    public void Options_name_the_bad_field()
    {
        var e = Assert.Throws<ArgumentException>(() => new GrpoOptions { NumGenerations = 3 }.Validate());
        Assert.Contains("grpo option 'training.batch_size'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GrpoOptions { RewardFuncs = ["gold"] }.Validate());
        Assert.Contains("'reward_funcs'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RlooOptions { NumGenerations = 1 }.Validate());
        Assert.Contains("rloo option 'num_generations'", e.Message);
        Assert.Equal(2, new RlooOptions().NumGenerations);
        Assert.Equal(0.05, new RlooOptions().Beta);
        Assert.Equal(0, new GrpoOptions().Beta);
        Assert.Equal(GrpoLossType.Dapo, new GrpoOptions().LossType);
        var bound = OptionsBinder.Bind(new GrpoOptions(), null, ["loss_type=dr_grpo", "scale_rewards=none", "num_generations=4"]);
        Assert.Equal(GrpoLossType.DrGrpo, bound.LossType);
        Assert.Equal(RewardScaling.None, bound.ScaleRewards);
        Assert.Equal(4, bound.NumGenerations);
    }
}
