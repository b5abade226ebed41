using System.Diagnostics;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>PPO's update (step 6): epochs of clipped-surrogate and value-loss minibatch steps, with PPO-ptx's pretraining term.</summary>
public sealed partial class PpoTrainer
{
    /// <summary>What one iteration's optimisation reports: mean losses and the other per-minibatch statistics.</summary>
    /// <param name="Loss">Mean of policy loss + vf_coef * value loss over the minibatch updates.</param>
    /// <param name="GradientNorm">Mean gradient norm before clipping.</param>
    /// <param name="Metrics">policy/*, loss/*, val/* means over the updates, and <c>policy/first_ratio_max_error</c>.</param>
    public sealed record UpdateMetrics(double Loss, double GradientNorm, IReadOnlyDictionary<string, double> Metrics);

    /// <summary>
    /// Step 6: <see cref="PpoOptions.PpoEpochs"/> passes over the rollout in <see cref="PpoOptions.NumMiniBatches"/> seeded
    /// minibatches, each one Adam step on the clipped surrogate + vf_coef * clipped value loss. Also records
    /// <c>policy/first_ratio_max_error</c>: max |pi_train / pi_sampler - 1| over the first minibatch of the first epoch, the
    /// training forward pass against the log-probs the sampler drew the tokens with, before any update: it must be ~0 (a
    /// larger value means training and sampling see different distributions, e.g. another temperature or a masked pad).
    /// </summary>
    public UpdateMetrics Optimize(PpoRollout rollout, int iteration)
    {
        var sums = new Dictionary<string, double>();
        double firstRatioError = double.NaN, lossSum = 0, normSum = 0;
        int updates = 0;
        var order = Seeding.Derive(options.Seed, RandomStreams.PpoMinibatchOrder + iteration);
        for (int epoch = 0; epoch < options.PpoEpochs; epoch++)
        {
            var rows = Enumerable.Range(0, rollout.BatchSize).OrderBy(_ => order.Next()).ToArray();
            foreach (var minibatch in rows.Chunk(options.MiniBatchSize))
            {
                using var scope = NewDisposeScope();
                var losses = MiniBatchLoss(rollout, minibatch, PtxStep(iteration, updates));
                var (loss, policyLoss, mask) = (losses.Total, losses.Policy, losses.ResponseMask);

                double lossValue = loss.item<float>();
                if (!double.IsFinite(lossValue)) // no update from a non-finite loss: the loop stops, naming the last good checkpoint
                {
                    optimizer.zero_grad();
                    return new UpdateMetrics(lossValue, double.NaN, new Dictionary<string, double>());
                }
                optimizer.zero_grad();
                loss.backward();
                double norm = nn.utils.clip_grad_norm_(parameters, options.Training.MaxGradNorm > 0 ? options.Training.MaxGradNorm : double.PositiveInfinity);
                optimizer.step();

                if (updates == 0) // the training forward pass against the sampler's own log-probs (not against itself)
                {
                    var sampled = rollout.SampledLogProbs.index_select(0, tensor(minibatch.Select(i => (long)i).ToArray(), device: mask.device));
                    firstRatioError = ((losses.LogProbs.detach() - sampled).exp() - 1).abs().mul(mask).max().item<float>();
                }
                lossSum += lossValue;
                normSum += norm;
                Add(sums, "loss/policy", policyLoss.Loss.item<float>());
                Add(sums, "loss/value", losses.Value.item<float>());
                if (losses.Pretraining is not null) Add(sums, "loss/ptx", losses.Pretraining.item<float>());
                Add(sums, "policy/approxkl", policyLoss.ApproximateKl.item<float>());
                Add(sums, "policy/clipfrac", policyLoss.ClipFraction.item<float>());
                Add(sums, "policy/entropy", MaskedStatistics.Mean(losses.Entropy.detach(), mask).item<float>());
                Add(sums, "val/ratio", policyLoss.MeanRatio.item<float>());
                Add(sums, "val/clipfrac", losses.ValueClipFraction.item<float>());
                updates++;
            }
        }
        var metrics = sums.ToDictionary(m => m.Key, m => m.Value / updates);
        metrics["policy/first_ratio_max_error"] = firstRatioError;
        return new UpdateMetrics(lossSum / updates, normSum / updates, metrics);
    }

    /// <summary>The losses of one minibatch and what they were computed from (all tensors belong to the caller's dispose scope).</summary>
    /// <param name="Total">policy + vf_coef * value (+ ptx.coef * pretraining when ptx is on): what is minimised.</param>
    /// <param name="Policy">The clipped surrogate and its statistics.</param>
    /// <param name="Value">The clipped value loss.</param>
    /// <param name="ValueClipFraction">Fraction of value predictions clipped.</param>
    /// <param name="Pretraining">The policy's mean next-token loss on the minibatch's pretraining windows; null when ptx.coef is 0.</param>
    /// <param name="LogProbs">log pi of the minibatch's response tokens now (M, N).</param>
    /// <param name="OldLogProbs">log pi_old of the same tokens from the rollout (M, N).</param>
    /// <param name="Entropy">Entropy of the policy at each response position (M, N).</param>
    /// <param name="ResponseMask">The minibatch's response mask (M, N).</param>
    public sealed record MiniBatchLosses(Tensor Total, PolicyLossResult Policy, Tensor Value, Tensor ValueClipFraction, Tensor? Pretraining,
        Tensor LogProbs, Tensor OldLogProbs, Tensor Entropy, Tensor ResponseMask);

    /// <summary>
    /// The loss of the minibatch of rollout rows <paramref name="rows"/>: the clipped surrogate plus vf_coef times the clipped
    /// value loss, and, when <c>ptx.coef</c> is positive, PPO-ptx's term (Ouyang et al. 2022, eq. 2):
    /// ptx.coef times the policy's mean next-token loss on <c>ptx.windows</c> pretraining windows drawn
    /// for <paramref name="ptxStep"/> (a pure function of the seed and the step).
    /// </summary>
    public MiniBatchLosses MiniBatchLoss(PpoRollout rollout, IReadOnlyList<int> rows, int ptxStep)
    {
        var index = tensor(rows.Select(i => (long)i).ToArray(), device: rollout.SequenceIds.device); // (M)
        var sequenceIds = rollout.SequenceIds.index_select(0, index);   // (M, P + N)
        var sequenceMask = rollout.SequenceMask.index_select(0, index); // (M, P + N)
        var mask = rollout.ResponseMask.index_select(0, index);         // (M, N)

        var (logProbs, entropyOrNull) = TokenLogProbs.OfResponse(policy, sequenceIds, sequenceMask, rollout.PromptLength, options.Temperature, withEntropy: true); // (M, N) each
        var entropy = entropyOrNull!;
        var values = ResponseValues(critic, sequenceIds, sequenceMask, rollout.PromptLength); // (M, N)
        var oldLogProbs = rollout.LogProbs.index_select(0, index);      // (M, N)
        var policyLoss = PpoLoss.ClippedSurrogate(logProbs, oldLogProbs, rollout.Advantages.index_select(0, index), mask, options.Cliprange);
        var (valueLoss, valueClipFraction) = PpoLoss.ClippedValue(
            values, rollout.Values.index_select(0, index), rollout.Returns.index_select(0, index), mask, options.CliprangeValue);
        var loss = policyLoss.Loss + options.VfCoef * valueLoss;
        Tensor? pretrainingLoss = null;
        if (options.Ptx.Coef > 0)
        {
            var (inputs, targets) = PtxWindows(ptxStep);                     // (W, L) each
            pretrainingLoss = PretrainingText.MeanTokenLoss(policy, inputs, targets);
            loss = loss + options.Ptx.Coef * pretrainingLoss;                 // InstructGPT eq. 2: - gamma * E_pretrain[log pi]
        }
        return new MiniBatchLosses(loss, policyLoss, valueLoss, valueClipFraction, pretrainingLoss, logProbs, oldLogProbs, entropy, mask);
    }

    /// <summary>The pretraining windows (inputs, targets) (W, L) each of ptx step <paramref name="ptxStep"/>.</summary>
    public (Tensor Inputs, Tensor Targets) PtxWindows(int ptxStep)
    {
        if (pretraining is null) throw new InvalidOperationException("this trainer was built without pretraining text");
        return pretraining.TrainingWindows(options.Seed, RandomStreams.PpoPretrainingWindows + ptxStep, options.Ptx.Windows, options.Ptx.WindowLength, policy.Device);
    }

    /// <summary>The ptx step of update <paramref name="update"/> of iteration <paramref name="iteration"/>: every update draws new windows.</summary>
    public int PtxStep(int iteration, int update) => iteration * options.PpoEpochs * options.NumMiniBatches + update;

    /// <summary>The policy's mean next-token loss on held-out pretraining text now (nats per token): the forgetting metric.</summary>
    public double PretrainLoss()
    {
        if (pretraining is null) throw new InvalidOperationException("this trainer was built without pretraining text");
        return pretraining.HeldOutLoss(policy, options.PretrainEvalWindows, options.Ptx.WindowLength);
    }
    static void Add(Dictionary<string, double> sums, string name, double value) => sums[name] = sums.GetValueOrDefault(name) + value;
}
