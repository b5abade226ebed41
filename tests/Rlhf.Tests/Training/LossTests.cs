using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

public class LossTests
{
    public LossTests() => TorchRuntime.Init();

    [Fact]
    public void Masked_cross_entropy_sums_only_masked_positions()
    {
        // One sequence, two positions, vocabulary 2. Position 0: logits (0, 0) -> p = 0.5 for either token: loss ln 2.
        // Position 1: logits (ln 3, 0) -> p(token 0) = 3/4: loss -ln(3/4) = ln(4/3). Target 0 at both.
        var logits = tensor(new float[] { 0, 0, MathF.Log(3), 0 }, [1, 2, 2]);
        var targets = tensor(new long[] { 0, 0 }, [1, 2]);
        Assert.Equal(Math.Log(2) + Math.Log(4.0 / 3), LanguageModelLoss.MaskedCrossEntropySum(logits, targets, ones(1, 2)).item<float>(), 5);
        Assert.Equal(Math.Log(4.0 / 3), LanguageModelLoss.MaskedCrossEntropySum(logits, targets, tensor(new float[] { 0, 1 }, [1, 2])).item<float>(), 5);
        Assert.Equal(0.0, LanguageModelLoss.MaskedCrossEntropySum(logits, targets, zeros(1, 2)).item<float>(), 6);
    }

    [Fact]
    public void Bradley_terry_matches_hand_computed_values_and_pushes_rewards_apart()
    {
        // r_c - r_r = 0 -> -log sigmoid(0) = ln 2; = 2 -> -log sigmoid(2) = ln(1 + e^-2) = 0.126928; margin 1 on a gap of 1 -> ln 2.
        var chosen = tensor(new float[] { 1, 3, 2 }, requires_grad: true);
        var rejected = tensor(new float[] { 1, 1, 1 }, requires_grad: true);
        var losses = BradleyTerryLoss.PerPair(chosen, rejected, tensor(new float[] { 0, 0, 1 }));
        Assert.Equal([Math.Log(2), Math.Log(1 + Math.Exp(-2)), Math.Log(2)], losses.data<float>().ToArray().Select(v => (double)v), new Tolerance(1e-5));

        // d/d r_c of -log sigmoid(d) = -(1 - sigmoid(d)): negative, so gradient descent raises r_chosen and lowers r_rejected.
        losses.sum().backward();
        Assert.Equal(-(1 - 1 / (1 + Math.Exp(-2))), chosen.grad!.data<float>()[1], 5);
        Assert.All(chosen.grad!.data<float>().ToArray(), g => Assert.True(g < 0));
        Assert.All(rejected.grad!.data<float>().ToArray(), g => Assert.True(g > 0));
    }

    [Fact]
    public void Bradley_terry_is_stable_for_large_gaps()
    {
        var losses = BradleyTerryLoss.PerPair(tensor(new float[] { -200 }), tensor(new float[] { 200 }));
        Assert.Equal(400, losses.item<float>(), 2); // -log sigmoid(-400) = 400 + log(1 + e^-400)
    }

    sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < epsilon;
        public int GetHashCode(double value) => 0;
    }
}
