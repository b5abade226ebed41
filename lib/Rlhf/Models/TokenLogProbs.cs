using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// The one place the library turns logits into the log-probability of chosen tokens (TRL's <c>selective_log_softmax</c>
/// idea): PPO's rollout and update, the KL to the reference, and DPO's sequence log-probs all call it.
/// </summary>
public static class TokenLogProbs
{
    /// <summary>log softmax(logits)[targets] at every position: (..., V) logits and (...) int64 targets give (...).</summary>
    public static Tensor Select(Tensor logits, Tensor targets) =>
        logits.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);

    /// <summary>
    /// log p(ids[b, t] | ids[b, &lt; t]) for t = 1..T-1: position t - 1 predicts token t, so the logits (B, T, V) are shifted
    /// one step against the ids (B, T); the first token has no prediction. Returns (B, T - 1).
    /// </summary>
    public static Tensor NextToken(Tensor logits, Tensor inputIds)
    {
        long time = logits.shape[1];
        return Select(logits.narrow(1, 0, time - 1), inputIds.narrow(1, 1, time - 1).to(ScalarType.Int64)); // (B, T-1)
    }

    /// <summary>
    /// The log-probs (B, N) of the response tokens of <paramref name="sequenceIds"/> (B, P + N) under
    /// <paramref name="model"/> with its logits divided by <paramref name="temperature"/> (the distribution the tokens were
    /// sampled from): the logits at column t predict the token at t + 1. With <paramref name="withEntropy"/>, also the
    /// entropy (B, N) of that distribution at each response position; otherwise <c>Entropy</c> is null.
    /// </summary>
    public static (Tensor LogProbs, Tensor? Entropy) OfResponse(ICausalLanguageModel model, Tensor sequenceIds, Tensor sequenceMask,
        int promptLength, double temperature, bool withEntropy = false)
    {
        long responseLength = sequenceIds.shape[1] - promptLength;
        var logits = model.forward(sequenceIds, sequenceMask, null);                                           // (B, P + N, V)
        var predicting = logits.narrow(1, promptLength - 1, responseLength).to(ScalarType.Float32) / temperature; // (B, N, V)
        var targets = sequenceIds.narrow(1, promptLength, responseLength);                                      // (B, N)
        if (!withEntropy) return (Select(predicting, targets), null);
        var allLogProbs = predicting.log_softmax(-1);                                                           // (B, N, V)
        var logProbs = allLogProbs.gather(2, targets.unsqueeze(2)).squeeze(2);                                  // (B, N)
        var entropy = -(allLogProbs.exp() * allLogProbs).sum(-1);                                               // (B, N)
        return (logProbs, entropy);
    }
}
