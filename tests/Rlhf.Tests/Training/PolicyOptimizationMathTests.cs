using Rlhf.Models;
using static Rlhf.Tests.TensorAssert;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>PPO and DPO building blocks against values worked out by hand (the arithmetic is in the comments).</summary>
public class PolicyOptimizationMathTests
{
    public PolicyOptimizationMathTests() => TorchRuntime.Init();

    [Fact]
    public void Gae_matches_a_hand_computed_example_with_padding()
    {
        // Row 0, gamma 1, lambda 0.5, rewards (0, 0, 1), values (0.5, 0.6, 0.7):
        //   t2: delta = 1 - 0.7 = 0.3, A = 0.3;  t1: delta = 0.7 - 0.6 = 0.1, A = 0.1 + 0.5 * 0.3 = 0.25;
        //   t0: delta = 0.6 - 0.5 = 0.1, A = 0.1 + 0.5 * 0.25 = 0.225;  returns = A + V = (0.725, 0.85, 1.0).
        // Row 1 ends after 2 tokens (the 9 and 5 are padding garbage that must not leak in):
        //   t1: delta = 2 + 0 - 1 = 1, A = 1;  t0: delta = 0 + 1 - 1 = 0, A = 0.5;  returns (1.5, 2, 0).
        var rewards = tensor(new float[] { 0, 0, 1, 0, 2, 9 }, [2, 3]);
        var values = tensor(new float[] { 0.5f, 0.6f, 0.7f, 1, 1, 5 }, [2, 3]);
        var mask = tensor(new float[] { 1, 1, 1, 1, 1, 0 }, [2, 3]);
        var (advantages, returns) = GeneralizedAdvantageEstimation.Compute(rewards, values, mask, gamma: 1.0, lambda: 0.5);
        Near([0.225, 0.25, 0.3, 0.5, 1, 0], advantages.reshape(-1));
        Near([0.725, 0.85, 1.0, 1.5, 2, 0], returns.reshape(-1));
    }

    [Fact]
    public void Gae_with_lambda_1_is_the_discounted_return_minus_the_value()
    {
        // gamma 0.9: return_0 = 0.81 * 1 = 0.81 -> A0 = 0.81 - 0.5 = 0.31; return_1 = 0.9 -> A1 = 0.3; A2 = 1 - 0.7 = 0.3.
        var (advantages, _) = GeneralizedAdvantageEstimation.Compute(
            tensor(new float[] { 0, 0, 1 }, [1, 3]), tensor(new float[] { 0.5f, 0.6f, 0.7f }, [1, 3]), ones(1, 3), gamma: 0.9, lambda: 1.0);
        Near([0.31, 0.3, 0.3], advantages.reshape(-1));
    }

    [Fact]
    public void Masked_whitening_ignores_padding()
    {
        // Masked values 1, 2, 3: mean 2, unbiased variance (1 + 0 + 1) / 2 = 1 -> whitened -1, 0, 1; the masked 100 becomes 0.
        var values = tensor(new float[] { 1, 2, 3, 100 });
        var mask = tensor(new float[] { 1, 1, 1, 0 });
        Assert.Equal(2, MaskedStatistics.Mean(values, mask).item<float>(), 5);
        Assert.Equal(1, MaskedStatistics.Variance(values, mask).item<float>(), 5);
        Near([-1, 0, 1, 0], MaskedStatistics.Whiten(values, mask));
        Near([1, 2, 3, 0], MaskedStatistics.Whiten(values, mask, shiftMean: false));
    }

    [Fact]
    public void Clipped_surrogate_at_and_beyond_the_clip_boundaries()
    {
        // eps = 0.2. (A, ratio) -> max(-A r, -A clip(r)):
        //  ( 1, 1.5): max(-1.5, -1.2) = -1.2 clipped   ( 1, 0.5): max(-0.5, -0.8) = -0.5
        //  (-1, 1.5): max( 1.5,  1.2) =  1.5           (-1, 0.5): max( 0.5,  0.8) =  0.8 clipped
        //  ( 1, 1.2): exactly on the boundary: both -1.2, not counted as clipped.
        // mean = (-1.2 - 0.5 + 1.5 + 0.8 - 1.2) / 5 = -0.12; clip fraction 2/5.
        var ratios = new double[] { 1.5, 0.5, 1.5, 0.5, 1.2 };
        var logProbs = tensor(ratios.Select(r => (float)Math.Log(r)).ToArray(), [1, 5], requires_grad: true);
        var result = PpoLoss.ClippedSurrogate(logProbs, zeros(1, 5), tensor(new float[] { 1, 1, -1, -1, 1 }, [1, 5]), ones(1, 5), 0.2);
        Assert.Equal(-0.12, result.Loss.item<float>(), 5);
        Assert.Equal(0.4, result.ClipFraction.item<float>(), 5);
        var expectedKl = 0.5 * ratios.Select(r => Math.Log(r) * Math.Log(r)).Average();
        Assert.Equal(expectedKl, result.ApproximateKl.item<float>(), 5);

        // Where the clipped branch wins, no gradient flows; elsewhere d/dlogp (-A r / n) = -A r / 5.
        result.Loss.backward();
        Near([0, -0.5 / 5, 1.5 / 5, 0, -1.2 / 5], logProbs.grad!.reshape(-1));
    }

    [Fact]
    public void On_the_first_epoch_the_ratio_is_one_and_nothing_is_clipped()
    {
        var logProbs = tensor(new float[] { -0.3f, -2f, -1.1f }, [1, 3]);
        var result = PpoLoss.ClippedSurrogate(logProbs, logProbs.clone(), tensor(new float[] { 1, -2, 3 }, [1, 3]), ones(1, 3), 0.2);
        Assert.Equal(1, result.MeanRatio.item<float>(), 6);
        Assert.Equal(0, result.ClipFraction.item<float>(), 6);
        Assert.Equal(-(1 - 2 + 3) / 3.0, result.Loss.item<float>(), 5);
    }

    [Fact]
    public void Clipped_value_loss_takes_the_larger_error()
    {
        // V = (2, 0), V_old = (1, 1), R = (3, 3), eps 0.2 -> V_clipped = (1.2, 0.8).
        // errors: unclipped (1, 9), clipped (3.24, 4.84) -> max (3.24, 9) -> 0.5 * mean = 3.06; clipped branch wins once.
        var (loss, clipFraction) = PpoLoss.ClippedValue(
            tensor(new float[] { 2, 0 }, [1, 2]), tensor(new float[] { 1, 1 }, [1, 2]), tensor(new float[] { 3, 3 }, [1, 2]), ones(1, 2), 0.2);
        Assert.Equal(3.06, loss.item<float>(), 5);
        Assert.Equal(0.5, clipFraction.item<float>(), 5);
    }

    [Fact]
    public void Kl_estimators_match_their_formulas()
    {
        // log pi = (-1, -2), log pi_ref = (-1.5, -1): k1 = (0.5, -1);
        // log r = ref - pi = (-0.5, 1): k3 = e^-0.5 - 1 + 0.5 = 0.1065307, e^1 - 1 - 1 = 0.7182818.
        var policy = tensor(new float[] { -1, -2 });
        var reference = tensor(new float[] { -1.5f, -1 });
        Near([0.5, -1], KlEstimators.K1(policy, reference));
        Near([0.1065307, 0.7182818], KlEstimators.K3(policy, reference));
        Assert.All(Values(KlEstimators.K3(policy, reference)), v => Assert.True(v >= 0));
    }

    [Fact]
    public void Adaptive_kl_controller_follows_ziegler_et_al()
    {
        // target 6, horizon 10000, 64 sequences: KL 12 -> error clip(1) = 0.2 -> beta * (1 + 0.2 * 64 / 10000) = beta * 1.00128.
        var controller = KlController.Adaptive(0.1, targetKl: 6, horizon: 10000);
        controller.Update(observedKl: 12, steps: 64);
        Assert.Equal(0.100128, controller.KlCoef, 9);
        controller.Update(observedKl: 3, steps: 64); // error -0.5 -> clipped to -0.2
        Assert.Equal(0.100128 * (1 - 0.00128), controller.KlCoef, 9);
        var fixedController = KlController.Fixed(0.05);
        fixedController.Update(100, 64);
        Assert.Equal(0.05, fixedController.KlCoef);
    }

    // pi(y_w) = -1, pi(y_l) = -3, ref = -2 for both, beta 0.5: log-ratios +1 and -1, h = 2, beta h = 1.
    static (Tensor PolicyChosen, Tensor PolicyRejected, Tensor ReferenceChosen, Tensor ReferenceRejected) Pair() =>
        (tensor(new float[] { -1 }, requires_grad: true), tensor(new float[] { -3 }, requires_grad: true), tensor(new float[] { -2 }), tensor(new float[] { -2 }));

    [Fact]
    public void Dpo_sigmoid_loss_rewards_and_gradient_signs()
    {
        var (pc, pr, rc, rr) = Pair();
        var result = DpoLoss.Sigmoid(pc, pr, rc, rr, beta: 0.5);
        Assert.Equal(Math.Log(1 + Math.Exp(-1)), result.Losses.item<float>(), 5); // -log sigmoid(1) = 0.3132617
        Assert.Equal(0.5, result.ChosenRewards.item<float>(), 6);
        Assert.Equal(-0.5, result.RejectedRewards.item<float>(), 6);
        result.Losses.sum().backward();
        // d/d pi(y_w) = -beta (1 - sigmoid(beta h)) = -0.5 * 0.2689414 < 0: raise the chosen log-prob, lower the rejected.
        Assert.Equal(-0.5 * (1 - 1 / (1 + Math.Exp(-1))), pc.grad!.item<float>(), 5);
        Assert.True(pr.grad!.item<float>() > 0);
    }

    [Fact]
    public void Conservative_dpo_mixes_in_the_flipped_label()
    {
        var (pc, pr, rc, rr) = Pair();
        // 0.9 * -log sigmoid(1) + 0.1 * -log sigmoid(-1) = 0.9 * 0.3132617 + 0.1 * 1.3132617 = 0.4132617
        Assert.Equal(0.4132617, DpoLoss.ConservativeSigmoid(pc, pr, rc, rr, beta: 0.5, labelSmoothing: 0.1).Losses.item<float>(), 5);
        Assert.Equal(DpoLoss.Sigmoid(pc, pr, rc, rr, 0.5).Losses.item<float>(), DpoLoss.ConservativeSigmoid(pc, pr, rc, rr, 0.5, 0).Losses.item<float>());
    }

    [Fact]
    public void Robust_dpo_is_unbiased_under_label_flips_and_keeps_pushing_the_observed_order()
    {
        var (pc, pr, rc, rr) = Pair();
        // beta h = 1, eps 0.1: (0.9 * 0.3132617 - 0.1 * 1.3132617) / 0.8 = 0.1882617
        var robust = DpoLoss.Robust(pc, pr, rc, rr, beta: 0.5, flipRate: 0.1);
        Assert.Equal(0.1882617, robust.Losses.item<float>(), 5);
        robust.Losses.sum().backward();
        // d/d pi(y_w) = beta * (-(1 - eps) sigmoid(-1) - eps sigmoid(1)) / (1 - 2 eps) = -0.1969707 < 0: raise the chosen log-prob.
        Assert.Equal(-0.1969707, pc.grad!.item<float>(), 5);
        Assert.True(pr.grad!.item<float>() > 0);

        // Unbiased: averaging over the label as observed (1 - eps) and flipped (eps) gives plain DPO's loss on the true label.
        var (qc, qr, _, _) = Pair();
        var flipped = DpoLoss.Robust(qr, qc, rr, rc, beta: 0.5, flipRate: 0.1).Losses.item<float>();
        Assert.Equal(DpoLoss.Sigmoid(qc, qr, rc, rr, 0.5).Losses.item<float>(), 0.9 * robust.Losses.item<float>() + 0.1 * flipped, 5);
        Assert.Equal(DpoLoss.Sigmoid(qc, qr, rc, rr, 0.5).Losses.item<float>(), DpoLoss.Robust(qc, qr, rc, rr, 0.5, 0).Losses.item<float>(), 6);
    }

    [Fact]
    public void Simpo_scores_mean_log_probs_without_a_reference_and_asks_for_a_margin()
    {
        var (pc, pr, _, _) = Pair(); // read as per-token means: chosen -1, rejected -3
        var result = DpoLoss.Simpo(pc, pr, beta: 0.5, gamma: 0.5);
        // 0.5 * (-1 - -3) - 0.5 = 0.5: -log sigmoid(0.5) = 0.4740770
        Assert.Equal(0.4740770, result.Losses.item<float>(), 5);
        Assert.Equal(-0.5, result.ChosenRewards.item<float>(), 6); // beta * mean log pi, no reference
        Assert.Equal(-1.5, result.RejectedRewards.item<float>(), 6);
        result.Losses.sum().backward();
        // d/d mean log pi(y_w) = -beta * sigmoid(-0.5) = -0.1887703 < 0: raise the chosen response's log-probs.
        Assert.Equal(-0.1887703, pc.grad!.item<float>(), 5);
        Assert.True(pr.grad!.item<float>() > 0);
        // The margin gamma is a real target: the same pair without it has a smaller loss.
        Assert.True(DpoLoss.Simpo(pc, pr, 0.5, 0).Losses.item<float>() < result.Losses.item<float>());
    }

    [Fact]
    public void Ipo_regresses_the_margin_to_one_over_two_beta()
    {
        var (pc, pr, rc, rr) = Pair();
        var above = DpoLoss.Ipo(pc, pr, rc, rr, beta: 0.5); // target 1 / (2 * 0.5) = 1, h = 2: (2 - 1)^2 = 1
        Assert.Equal(1, above.Losses.item<float>(), 5);
        above.Losses.sum().backward();
        Assert.True(pc.grad!.item<float>() > 0, "a margin above the target is pulled back down (unlike DPO)");

        var below = DpoLoss.Ipo(tensor(new float[] { -1.75f }, requires_grad: true), tensor(new float[] { -2 }), tensor(new float[] { -2 }), tensor(new float[] { -2 }), beta: 0.5);
        Assert.Equal(0.5625, below.Losses.item<float>(), 5); // h = 0.25: (0.25 - 1)^2
    }
}
