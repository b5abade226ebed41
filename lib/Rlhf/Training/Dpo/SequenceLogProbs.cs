using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// log pi(response | prompt) of whole sequences: the log-probabilities of the tokens the loss mask selects (the
/// response and its end-of-text), summed per row, and how many tokens that was. What DPO compares between the
/// policy and the reference (the reference implementation's <c>_get_batch_logps</c>).
/// </summary>
public static class SequenceLogProbs
{
    /// <summary>
    /// sum over t of mask[b, t] * log softmax(logits[b, t - 1])[ids[b, t]]: position t - 1 predicts token t, so the
    /// logits are shifted one step against the ids; the first token has no prediction and is never a response token.
    /// </summary>
    /// <param name="logits">(B, T, V) the model's scores for the token after each position.</param>
    /// <param name="inputIds">(B, T) int64 ids of the sequences the logits were computed for.</param>
    /// <param name="lossMask">(B, T) 0/1: 1 on the response tokens (the chat template's loss mask), 0 on prompt and padding.</param>
    /// <returns>(B) summed response log-probs and (B) float counts of response tokens.</returns>
    public static (Tensor Sum, Tensor Tokens) Summed(Tensor logits, Tensor inputIds, Tensor lossMask)
    {
        var time = logits.shape[1];
        var tokenLogProbs = Models.TokenLogProbs.NextToken(logits, inputIds); // (B, T-1)
        var mask = lossMask.narrow(1, 1, time - 1).to(tokenLogProbs.dtype); // (B, T-1)
        return ((tokenLogProbs * mask).sum(-1), mask.sum(-1)); // (B), (B)
    }
}
