using Rlhf.Models;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>The one forward pass DPO makes per micro-batch: chosen and rejected sequences together (the reference
/// implementation's <c>concatenated_forward</c>), half the kernel launches of two passes and the same numbers.</summary>
public static class DpoForward
{
    /// <summary>
    /// Summed response log-probs of the 2N rows of <paramref name="inputIds"/> (N chosen rows, then N rejected rows),
    /// split into the two halves. No attention mask is passed: the rows are right-padded, so with causal attention no
    /// real token ever sees the padding after it, and padded positions are outside the loss mask.
    /// </summary>
    /// <param name="model">The policy or the reference.</param>
    /// <param name="inputIds">(2N, T) int64 ids.</param>
    /// <param name="lossMask">(2N, T) 0/1 response-token mask.</param>
    public static PairLogProbs PairLogProbs(ICausalLanguageModel model, Tensor inputIds, Tensor lossMask)
    {
        var logits = model.forward(inputIds, null, null); // (2N, T, V)
        var (sums, tokens) = SequenceLogProbs.Summed(logits, inputIds, lossMask); // (2N), (2N)
        return Training.PairLogProbs.FromConcatenated(sums, tokens);
    }
}
