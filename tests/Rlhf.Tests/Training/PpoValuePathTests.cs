using Rlhf.Models;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>
/// PPO's value path, reward shaping and optimizer step checked against computations written out here, each test able to
/// catch one plausible slip: values read a token late, the critic fitted to per-token rewards instead of returns, gradients
/// accumulated across minibatches, the k3 estimator ignored, whitened rewards losing their mean.
/// </summary>
[Collection(GlobalRandomRuns.Name)]
public class PpoValuePathTests
{
    public PpoValuePathTests() => TorchRuntime.Init();

    static PpoOptions Small(PpoOptions? options = null) => (options ?? new PpoOptions()) with
    {
        Ptx = PpoOptions.DefaultPtx with { Coef = 0 }, RolloutBatchSize = 8, NumMiniBatches = 1, PpoEpochs = 1, ResponseLength = 6, Temperature = 1.0, MissingEosPenalty = -0.5,
    };

    static void Close(Tensor expected, Tensor actual, double tolerance, string what) =>
        Assert.True(actual.allclose(expected, rtol: tolerance, atol: tolerance),
            $"{what}: max difference {(actual - expected).abs().max().item<float>()}");

    /// <summary>Moves the policy away from the reference so that log-prob differences (and KL estimates) are not all zero.</summary>
    static void Perturb(TinyPpo.Setup setup)
    {
        using var noGrad = no_grad();
        torch.manual_seed(21);
        foreach (var p in setup.Policy.parameters()) p.add_(randn_like(p) * 0.3);
    }

    [Fact]
    public void Values_are_the_critics_outputs_at_the_column_before_each_response_token()
    {
        using var setup = TinyPpo.Create(Small());
        using var rollout = setup.Trainer.Rollout(0);
        using var noGrad = no_grad();
        var all = setup.Critic.Values(rollout.SequenceIds, rollout.SequenceMask); // (B, P + N)
        long responseLength = rollout.ResponseMask.shape[1];

        var stateBefore = all.narrow(1, rollout.PromptLength - 1, responseLength) * rollout.ResponseMask; // V(s_t): s_t ends before token t
        var oneLate = all.narrow(1, rollout.PromptLength, responseLength) * rollout.ResponseMask;
        Close(stateBefore, rollout.Values, 1e-5, "rollout values vs the critic at the column before each token");
        Assert.False(oneLate.allclose(rollout.Values, rtol: 1e-3, atol: 1e-3), "reading one token late must give other values");
    }

    [Fact]
    public void Returns_are_generalized_advantage_estimates_plus_values_and_the_value_loss_fits_them()
    {
        var options = Small() with { Gamma = 0.9, Lam = 0.8, WhitenAdvantages = false };
        using var setup = TinyPpo.Create(options);
        Perturb(setup);
        using var rollout = setup.Trainer.Rollout(0);

        // GAE by hand, row by row (Schulman et al. 2016, eq. 16): delta_t = r_t + gamma V_{t+1} - V_t, A_t = delta_t + gamma lambda A_{t+1}.
        int rows = (int)rollout.Rewards.shape[0], length = (int)rollout.Rewards.shape[1];
        var r = rollout.Rewards.cpu().data<float>().ToArray();
        var v = rollout.Values.cpu().data<float>().ToArray();
        var m = rollout.ResponseMask.cpu().data<float>().ToArray();
        var expectedReturns = new float[r.Length];
        for (int b = 0; b < rows; b++)
        {
            double nextValue = 0, nextAdvantage = 0;
            for (int t = length - 1; t >= 0; t--)
            {
                int i = b * length + t;
                if (m[i] == 0) { nextValue = 0; nextAdvantage = 0; continue; }
                double delta = r[i] + options.Gamma * nextValue - v[i];
                nextAdvantage = delta + options.Gamma * options.Lam * nextAdvantage;
                expectedReturns[i] = (float)(nextAdvantage + v[i]);
                nextValue = v[i];
            }
        }
        var returns = tensor(expectedReturns, [rows, length]).to(rollout.Returns.device);
        Close(returns, rollout.Returns, 1e-4, "returns vs hand GAE");
        Assert.False(rollout.Returns.allclose(rollout.Rewards, rtol: 1e-3, atol: 1e-3), "returns must differ from the per-token rewards here");

        // The value loss of a minibatch regresses the critic on those returns (clipped around the rollout's values).
        var all = Enumerable.Range(0, rows).ToArray();
        var losses = setup.Trainer.MiniBatchLoss(rollout, all, 0);
        using var noGrad = no_grad();
        var values = PpoTrainer.ResponseValues(setup.Critic, rollout.SequenceIds, rollout.SequenceMask, rollout.PromptLength);
        var (expected, _) = PpoLoss.ClippedValue(values, rollout.Values, returns, rollout.ResponseMask, options.CliprangeValue);
        Close(expected, losses.Value.detach(), 1e-4, "value loss vs the clipped loss on the hand returns");
    }

    [Fact]
    public void Every_minibatch_step_uses_only_its_own_gradient()
    {
        // Two epochs over one minibatch holding every row, at a learning rate too small to move anything: both steps see
        // the same gradient g. Zeroing between steps leaves g in .grad; forgetting to zero would leave 2g.
        var small = Small();
        var options = small with { PpoEpochs = 2, Training = small.Training with { LearningRate = 1e-12, MaxGradNorm = 0 }, AnnealLearningRate = false };
        using var setup = TinyPpo.Create(options);
        Perturb(setup);
        using var rollout = setup.Trainer.Rollout(0);
        setup.Trainer.Optimize(rollout, 0);
        var afterOptimize = setup.Policy.parameters().Concat(setup.Critic.parameters())
            .Where(p => p.grad is not null).Select(p => p.grad!.clone()).ToList();
        Assert.NotEmpty(afterOptimize);

        foreach (var p in setup.Policy.parameters().Concat(setup.Critic.parameters())) p.grad?.zero_();
        setup.Trainer.MiniBatchLoss(rollout, Enumerable.Range(0, (int)rollout.Rewards.shape[0]).ToArray(), 0).Total.backward();
        var once = setup.Policy.parameters().Concat(setup.Critic.parameters())
            .Where(p => p.grad is not null).Select(p => p.grad!.clone()).ToList();

        Assert.Equal(once.Count, afterOptimize.Count);
        var total = cat(once.Select(g => g.flatten()).ToArray());
        var seen = cat(afterOptimize.Select(g => g.flatten()).ToArray());
        Assert.True(total.abs().sum().item<float>() > 0, "the gradient must not vanish");
        Close(total, seen, 1e-3, "the gradient left by the last step vs one minibatch's gradient");
    }

    [Fact]
    public void The_k3_estimator_is_the_one_the_penalty_uses()
    {
        Tensor KlOf(KlEstimator estimator, out Tensor expected)
        {
            using var setup = TinyPpo.Create(Small() with { KlEstimator = estimator });
            Perturb(setup);
            using var rollout = setup.Trainer.Rollout(0);
            expected = (estimator == KlEstimator.K3
                ? KlEstimators.K3(rollout.LogProbs, rollout.ReferenceLogProbs)
                : KlEstimators.K1(rollout.LogProbs, rollout.ReferenceLogProbs)) * rollout.ResponseMask;
            expected = expected.detach().clone();
            return rollout.Kl.detach().clone();
        }

        var k1 = KlOf(KlEstimator.K1, out var expectedK1);
        var k3 = KlOf(KlEstimator.K3, out var expectedK3);
        Close(expectedK1, k1, 1e-5, "k1 penalty");
        Close(expectedK3, k3, 1e-5, "k3 penalty");
        Assert.False(k1.allclose(k3, rtol: 1e-3, atol: 1e-3), "k1 and k3 must differ once the policy has moved");
        Assert.True(k3.min().item<float>() >= -1e-6, "k3 = (r - 1) - log r is never negative");
    }

    [Fact]
    public void Whitened_rewards_are_scaled_to_unit_variance_but_keep_their_mean()
    {
        using var setup = TinyPpo.Create(Small() with { WhitenRewards = true });
        Perturb(setup);
        using var rollout = setup.Trainer.Rollout(0);
        var mask = rollout.ResponseMask;
        var (raw, _) = PpoRewards.TokenRewards(rollout.Kl, rollout.Scores, mask.to(ScalarType.Int64), rollout.KlCoef);

        var expected = MaskedStatistics.Whiten(raw, mask, shiftMean: false) * mask;
        Close(expected, rollout.Rewards * mask, 1e-4, "whitened rewards");
        double rawMean = MaskedStatistics.Mean(raw, mask).item<float>(), whitenedMean = MaskedStatistics.Mean(rollout.Rewards, mask).item<float>();
        Assert.True(Math.Abs(rawMean) > 1e-3, "the raw rewards' mean must not be 0 for the check to mean anything");
        Assert.Equal(rawMean, whitenedMean, 4);
        Assert.Equal(1.0, MaskedStatistics.Variance(rollout.Rewards, mask).item<float>(), 2);
    }
}
