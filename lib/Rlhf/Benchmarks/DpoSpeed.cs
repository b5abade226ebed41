using Rlhf.Models;
using Rlhf.Training;
using static TorchSharp.torch;

namespace Rlhf.Benchmarks;

/// <summary>Throughput of one DPO optimisation step, as <see cref="DpoStage"/> runs it without precomputed reference log-probs.</summary>
public static class DpoSpeed
{
    /// <summary>
    /// Preference pairs per second of a DPO step on <paramref name="shape"/>'s model: the policy's forward over the chosen
    /// and rejected rows together (<see cref="DpoForward"/>), the frozen reference's forward under no-grad, the sigmoid
    /// loss (<see cref="DpoObjective"/>, default <see cref="DpoOptions"/>), backward and an AdamW step at lr 3e-4. Random
    /// token ids; the second half of every row is its response. Median over <paramref name="runs"/> steps after
    /// <paramref name="warmup"/>.
    /// </summary>
    public static double PairsPerSecond(BenchmarkShape shape, int warmup, int runs, Device device)
    {
        using var policy = new Gpt(shape.Model with { Dropout = 0 }, device);
        policy.train();
        using var reference = DpoStage.FrozenCopy(policy);
        using var optimizer = optim.AdamW(policy.parameters(), lr: 3e-4);
        var options = new DpoOptions();
        int rows = 2 * shape.DpoPairs, length = shape.DpoLength;
        using var ids = randint(0, shape.Model.VocabularySize, [rows, length], dtype: ScalarType.Int64, device: device); // (2N, T): N chosen, then N rejected
        using var lossMask = cat([zeros(rows, length / 2, ScalarType.Int64, device), ones(rows, length - length / 2, ScalarType.Int64, device)], 1); // (2N, T)

        void Step()
        {
            using var scope = NewDisposeScope();
            PairLogProbs referenceLogProbs;
            using (no_grad()) referenceLogProbs = DpoForward.PairLogProbs(reference, ids, lossMask); // (N) each
            var policyLogProbs = DpoForward.PairLogProbs(policy, ids, lossMask); // (N) each
            var loss = DpoObjective.Compute(options, policyLogProbs, referenceLogProbs).Losses.mean();
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }

        return shape.DpoPairs / Timing.Median(Timing.Seconds(warmup, runs, Step));
    }
}
