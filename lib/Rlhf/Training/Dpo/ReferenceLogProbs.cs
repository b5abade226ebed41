using Rlhf.Models;
using Rlhf.Torch;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// The frozen reference model's summed response log-probs for every pair of a dataset, computed once (no-grad, eval
/// mode) and kept as host arrays, so the reference model can be freed before training starts: the reference never
/// changes, so recomputing it every step would only repeat the same numbers.
/// </summary>
public sealed class ReferenceLogProbs
{
    readonly float[] chosen, rejected, chosenTokens, rejectedTokens;

    ReferenceLogProbs(float[] chosen, float[] rejected, float[] chosenTokens, float[] rejectedTokens)
    {
        this.chosen = chosen;
        this.rejected = rejected;
        this.chosenTokens = chosenTokens;
        this.rejectedTokens = rejectedTokens;
    }

    /// <summary>Pairs covered.</summary>
    public int Count => chosen.Length;

    /// <summary>Runs <paramref name="reference"/> over every pair of <paramref name="data"/>, <paramref name="batchSize"/> pairs at a time.</summary>
    public static ReferenceLogProbs Compute(ICausalLanguageModel reference, TokenizedPreferences data, int batchSize)
    {
        var module = reference as TorchSharp.torch.nn.Module;
        bool wasTraining = module?.training ?? false;
        module?.eval();
        try
        {
            using var noGrad = no_grad();
            var parts = Enumerable.Range(0, data.Count).Chunk(batchSize).Select(indices =>
            {
                using var scope = NewDisposeScope();
                var (ids, lossMask) = data.Collate(indices); // (2N, T)
                var pair = DpoForward.PairLogProbs(reference, ids, lossMask);
                return (Chosen: Host(pair.Chosen), Rejected: Host(pair.Rejected), ChosenTokens: Host(pair.ChosenTokens), RejectedTokens: Host(pair.RejectedTokens));
            }).ToList();
            return new ReferenceLogProbs(
                parts.SelectMany(p => p.Chosen).ToArray(), parts.SelectMany(p => p.Rejected).ToArray(),
                parts.SelectMany(p => p.ChosenTokens).ToArray(), parts.SelectMany(p => p.RejectedTokens).ToArray());
        }
        finally
        {
            if (wasTraining) module!.train();
        }
    }

    /// <summary>The log-probs of pairs <paramref name="indices"/> as (N) tensors on <see cref="TorchRuntime.Device"/>.</summary>
    public PairLogProbs For(IReadOnlyList<int> indices)
    {
        var device = TorchRuntime.Device;
        Tensor Pick(float[] values) => tensor(indices.Select(i => values[i]).ToArray(), device: device); // (N)
        return new PairLogProbs(Pick(chosen), Pick(rejected), Pick(chosenTokens), Pick(rejectedTokens));
    }

    static float[] Host(Tensor values) => values.to(ScalarType.Float32).cpu().data<float>().ToArray();
}
