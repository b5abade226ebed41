using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>How a rollout becomes per-token rewards (Ziegler et al. 2019, eq. 2; Ouyang et al. 2022, eq. 2): the
/// response is cut after its first end-of-text, the reward model's score is penalised if it never ended, and every
/// response token pays -beta * KL while the last one also receives the score.</summary>
public static class PpoRewards
{
    /// <summary>
    /// 1 on every response token up to and including the first end-of-text, 0 after it (B, N) for generated ids
    /// <paramref name="responseIds"/> (B, N): what the episode is, whatever the model sampled after stopping.
    /// </summary>
    public static Tensor ResponseMask(Tensor responseIds, int endOfTextId)
    {
        var isEnd = responseIds.eq(endOfTextId).to(ScalarType.Int64); // (B, N)
        var endsBefore = isEnd.cumsum(1) - isEnd;                     // (B, N): end-of-text tokens strictly before t
        return endsBefore.eq(0).to(ScalarType.Int64);                 // (B, N)
    }

    /// <summary>Whether each row's kept response (under <paramref name="responseMask"/>) contains end-of-text (B, bool).</summary>
    public static Tensor EndedWithEndOfText(Tensor responseIds, Tensor responseMask, int endOfTextId) =>
        (responseIds.eq(endOfTextId) & responseMask.to(ScalarType.Bool)).any(1); // (B)

    /// <summary>score + penalty for rows that never produced end-of-text (N+ implementation details: -1), score otherwise (B).</summary>
    public static Tensor PenalizeUnfinished(Tensor scores, Tensor ended, double penalty) =>
        scores + penalty * ended.logical_not().to(scores.dtype); // (B)

    /// <summary>score - coefficient * L (B), with L the kept response tokens of each row (the sum of <paramref name="responseMask"/>
    /// (B, N), end-of-text included): a length penalty against a reward model that pays for long answers.</summary>
    public static Tensor PenalizeLength(Tensor scores, Tensor responseMask, double coefficient) =>
        scores - coefficient * responseMask.to(scores.dtype).sum(1); // (B)

    /// <summary>
    /// r_t = -beta * kl_t on every response token, plus the sequence score on the last one (Ziegler et al. 2019, eq. 2):
    /// the reward model judges the whole response once, the KL penalty charges each token for leaving the reference.
    /// </summary>
    /// <param name="klPerToken">(B, N) KL estimate per token (k1 or k3), any value where the mask is 0.</param>
    /// <param name="scores">(B) reward-model score of each response (already penalised for a missing end-of-text).</param>
    /// <param name="responseMask">(B, N) 1 on response tokens; every row has at least one.</param>
    /// <param name="klCoef">beta.</param>
    /// <returns>Per-token rewards (B, N), 0 where the mask is 0, and the non-score part -beta * kl (B, N).</returns>
    public static (Tensor Rewards, Tensor NonScoreRewards) TokenRewards(Tensor klPerToken, Tensor scores, Tensor responseMask, double klCoef)
    {
        var mask = responseMask.to(klPerToken.dtype);                              // (B, N)
        var nonScore = -klCoef * klPerToken * mask;                          // (B, N)
        var lastIndex = (responseMask.to(ScalarType.Int64).sum(1) - 1).unsqueeze(1); // (B, 1) last response token (right padding)
        var scoreAtEnd = zeros_like(nonScore).scatter(1, lastIndex, scores.to(nonScore.dtype).unsqueeze(1)); // (B, N)
        return (nonScore + scoreAtEnd, nonScore);
    }
}
