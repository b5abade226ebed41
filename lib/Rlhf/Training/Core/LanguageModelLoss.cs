using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Next-token cross-entropy restricted to the tokens a 0/1 loss mask selects (pretraining: all real tokens;
/// SFT: the response and its end-of-text token only).</summary>
public static class LanguageModelLoss
{
    /// <summary>
    /// sum over (b, t) of mask[b, t] * -log softmax(logits[b, t])[targets[b, t]]: the SUM, so the trainer can divide
    /// by the loss tokens of all accumulated micro-batches (Radford et al. 2018, eq. 1, restricted by the mask).
    /// </summary>
    /// <param name="logits">(B, T, V) scores for the token after each position.</param>
    /// <param name="targets">(B, T) int64 ids of the next token at each position.</param>
    /// <param name="lossMask">(B, T) 0/1 float: which positions count.</param>
    public static Tensor MaskedCrossEntropySum(Tensor logits, Tensor targets, Tensor lossMask)
    {
        var vocabulary = logits.shape[^1];
        var perToken = nn.functional.cross_entropy(logits.reshape(-1, vocabulary), targets.reshape(-1), reduction: nn.Reduction.None); // (B*T)
        return (perToken * lossMask.reshape(-1).to(perToken.dtype)).sum();
    }
}
