using static Rlhf.Tests.TensorAssert;
using Rlhf.Models;
using Rlhf.Tests.Models;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>PPO's reward assembly by hand, the first-epoch ratio, and tiny end-to-end runs on a synthetic reward.</summary>
[Collection(GlobalRandomRuns.Name)]
public class PpoTrainerTests
{
    const int EndOfText = TinyPpo.EndOfText, Pad = TinyPpo.Pad, LowIds = TinyPpo.LowIds;

    public PpoTrainerTests() => TorchRuntime.Init();

    [Fact]
    public void Response_mask_keeps_tokens_up_to_and_including_the_first_end_of_text()
    {
        // Row 0 ends at column 2 (the second end-of-text at column 4 and the 5 are after the episode); row 1 never ends.
        var ids = tensor(new long[] { 3, 7, EndOfText, 5, EndOfText, 1, 1, 1, 1, 1 }, [2, 5]);
        var mask = PpoRewards.ResponseMask(ids, EndOfText);
        Assert.Equal([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], mask.data<long>().ToArray());
        Assert.Equal([true, false], PpoRewards.EndedWithEndOfText(ids, mask, EndOfText).data<bool>().ToArray());
    }

    [Fact]
    public void A_response_without_end_of_text_gets_the_penalty_added_to_its_score()
    {
        var scores = PpoRewards.PenalizeUnfinished(tensor(new float[] { 0.5f, 0.5f }), tensor(new[] { true, false }), penalty: -1.0);
        Near([0.5, -0.5], scores);
    }

    [Fact]
    public void Token_rewards_are_minus_beta_kl_everywhere_plus_the_score_at_the_last_response_token()
    {
        // beta 0.5. Row 0 (3 tokens): -0.5 * (0.1, 0.2, 0.3) = (-0.05, -0.1, -0.15), + score 2 at t2 -> (-0.05, -0.1, 1.85).
        // Row 1 (2 tokens, the 9 is padding): -0.5 * (0.5, -0.5) = (-0.25, 0.25), + score 1 at t1 -> (-0.25, 1.25, 0).
        var kl = tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.5f, -0.5f, 9f }, [2, 3]);
        var mask = tensor(new long[] { 1, 1, 1, 1, 1, 0 }, [2, 3]);
        var (rewards, nonScore) = PpoRewards.TokenRewards(kl, tensor(new float[] { 2, 1 }), mask, klCoef: 0.5);
        Near([-0.05, -0.1, 1.85, -0.25, 1.25, 0], rewards.reshape(-1));
        Near([-0.05, -0.1, -0.15, -0.25, 0.25, 0], nonScore.reshape(-1));
    }

    [Fact]
    public void On_the_first_ppo_epoch_the_probability_ratio_is_1_for_every_token()
    {
        using var setup = Setup(new PpoOptions { Ptx = PpoOptions.DefaultPtx with { Coef = 0 }, RolloutBatchSize = 8, NumMiniBatches = 1, PpoEpochs = 2, ResponseLength = 10, Temperature = 0.7 });
        using var rollout = setup.Trainer.Rollout(0);
        var mask = rollout.ResponseMask;
        Assert.True(mask.sum().item<float>() > 8, "the rollout must have response tokens");
        // The engine's incremental (KV-cache) log-probs and the full forward pass at the same temperature agree per token.
        var ratio = (rollout.LogProbs - rollout.SampledLogProbs).exp(); // (B, N)
        float worst = ((ratio - 1).abs() * mask).max().item<float>();
        Assert.True(worst < 1e-4, $"rollout vs recomputed ratio off by {worst}");
        // The training forward pass of the first minibatch, before any update, gives ratio 1 on every response token.
        var update = setup.Trainer.Optimize(rollout, 0);
        Assert.True(update.Metrics["policy/first_ratio_max_error"] < 1e-4, $"first-epoch ratio off by {update.Metrics["policy/first_ratio_max_error"]}");
        // ...and the updates did move the policy (the check can fail).
        Assert.True(update.Metrics["policy/approxkl"] > 0);
    }

    [Fact]
    public void A_different_training_temperature_would_break_the_ratio_check()
    {
        using var setup = Setup(new PpoOptions { Ptx = PpoOptions.DefaultPtx with { Coef = 0 }, RolloutBatchSize = 4, NumMiniBatches = 1, PpoEpochs = 1, ResponseLength = 6, Temperature = 0.7 });
        using var rollout = setup.Trainer.Rollout(0);
        using var noGrad = no_grad();
        var untempered = TokenLogProbs.OfResponse(setup.Policy, rollout.SequenceIds, rollout.SequenceMask, rollout.PromptLength, 1.0).LogProbs;
        float worst = (((untempered - rollout.SampledLogProbs).exp() - 1).abs() * rollout.ResponseMask).max().item<float>();
        Assert.True(worst > 1e-2, $"temperature 1 vs 0.7 log-probs should differ, max ratio error {worst}");
    }

    [Fact]
    public void Ppo_raises_a_synthetic_reward_on_a_tiny_model()
    {
        // Reward = fraction of response tokens with an id below 24; the near-uniform tiny policy starts near 24/50.
        var options = new PpoOptions
        { Training = PpoOptions.DefaultTraining with { MaxSteps = 10, LearningRate = 1e-2 }, Ptx = PpoOptions.DefaultPtx with { Coef = 0 }, RolloutBatchSize = 16, NumMiniBatches = 1, PpoEpochs = 4, ResponseLength = 6, Temperature = 1.0, KlCoef = 0.01, MissingEosPenalty = 0 };
        using var setup = Setup(options);
        var result = setup.Trainer.Train();
        var scores = result.History.Series("objective/scores").Select(p => p.Value).ToArray();
        double before = scores.Take(3).Average(), after = scores.TakeLast(3).Average();
        Assert.True(after > before + 0.15, $"mean synthetic reward should rise: {string.Join(", ", scores.Select(s => s.ToString("F2")))}; mean synthetic reward should rise: first iterations {before:F3}, last {after:F3}");
        Assert.True(result.History.Series("objective/kl").Last().Value > 0, "the policy moved away from the reference");
        foreach (var name in new[] { "objective/kl", "objective/entropy", "objective/non_score_reward", "policy/approxkl", "policy/clipfrac",
                     "loss/policy", "loss/value", "val/ratio", "response/length", "response/ended", "gold/score" })
            Assert.Contains(name, result.History.Names);
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_iterations()
    {
        var options = new PpoOptions { Training = PpoOptions.DefaultTraining with { MaxSteps = 4, LearningRate = 1e-3 }, Ptx = PpoOptions.DefaultPtx with { Coef = 0 }, RolloutBatchSize = 4, NumMiniBatches = 2, PpoEpochs = 1, ResponseLength = 4 };
        using var setup = Setup(options);
        var counts = new CountingObserver();
        setup.Trainer.Train([counts]);
        Assert.Equal(4, counts.LiveAt.Count);
        Assert.Equal(counts.LiveAt[2], counts.LiveAt[4]);
    }

    [Fact]
    public void Adaptive_kl_moves_the_coefficient_and_the_options_reject_bad_minibatching()
    {
        var options = new PpoOptions { Training = PpoOptions.DefaultTraining with { MaxSteps = 1 }, Ptx = PpoOptions.DefaultPtx with { Coef = 0 }, RolloutBatchSize = 4, NumMiniBatches = 1, PpoEpochs = 1, ResponseLength = 6, AdaptiveKl = true, KlCoef = 0.1, TargetKl = 6, Horizon = 4 };
        using var setup = Setup(options);
        var history = setup.Trainer.Train().History;
        // The first rollout's policy IS the reference, so its KL is exactly 0: e = clip(0 / 6 - 1, -0.2, 0.2) = -0.2 and
        // beta = 0.1 * (1 - 0.2 * 4 sequences / horizon 4) = 0.08.
        Assert.Equal(0.0, history.Last("objective/kl")!.Value, 6);
        Assert.Equal(0.1, history.Last("objective/kl_coef")!.Value, 9);
        Assert.Equal(0.08, setup.Trainer.KlCoef, 9);
        var error = Assert.Throws<ArgumentException>(() => new PpoOptions { RolloutBatchSize = 10, NumMiniBatches = 3 }.Validate());
        Assert.Contains("num_mini_batches", error.Message);
    }

    sealed class CountingObserver : ITrainingObserver
    {
        public Dictionary<int, long> LiveAt { get; } = [];
        public void OnStep(TrainingStep step) => LiveAt[step.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    }

    // A stand-in gold judge (length of the response), so gold/score is logged as in the course.
    static TinyPpo.Setup Setup(PpoOptions options) => TinyPpo.Create(options, gold: (_, response) => response.Length);
}
