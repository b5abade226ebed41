using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>What the GRPO per-token loss reports besides the loss.</summary>
/// <param name="PerToken">(B, T) per-token loss, before any masking or averaging.</param>
/// <param name="Ratio">(B, T) pi / pi_old.</param>
/// <param name="LowClipped">(B, T) 1 where the ratio fell under 1 - epsilon with a negative advantage (the clip binds).</param>
/// <param name="HighClipped">(B, T) 1 where the ratio rose over 1 + epsilon_high with a positive advantage.</param>
/// <param name="Kl">(B, T) the k3 KL estimate to the reference, or null when beta is 0.</param>
public sealed record GrpoTokenLoss(Tensor PerToken, Tensor Ratio, Tensor LowClipped, Tensor HighClipped, Tensor? Kl);

/// <summary>GRPO's objective (Shao et al. 2024, eq. 3) with DAPO's asymmetric clip (Yu et al. 2025) and the loss
/// normalisations TRL offers; RLOO's update is the same clipped surrogate with its own advantages and beta = 0 here.</summary>
public static class GrpoLoss
{
    /// <summary>
    /// Per token: -min(ratio * A, clip(ratio, 1 - eps, 1 + eps_high) * A) + beta * KL_k3(pi || pi_ref), with ratio =
    /// exp(log pi - log pi_old) and A the completion's advantage broadcast over its tokens (Shao et al. 2024, eq. 3-4;
    /// the KL is the unbiased k3 estimate exp(ref - logp) - (ref - logp) - 1 of their eq. 4).
    /// </summary>
    /// <param name="logProbs">(B, T) log pi of the completion tokens now.</param>
    /// <param name="oldLogProbs">(B, T) log pi_old from generation time (equal to logProbs, detached, with one update per generation).</param>
    /// <param name="advantages">(B) one advantage per completion.</param>
    /// <param name="referenceLogProbs">(B, T) log pi_ref, or null when <paramref name="beta"/> is 0.</param>
    /// <param name="beta">Weight of the KL term (0: none).</param>
    /// <param name="epsilon">Lower clip range.</param>
    /// <param name="epsilonHigh">Upper clip range (DAPO's clip-higher when larger than epsilon).</param>
    public static GrpoTokenLoss PerToken(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor? referenceLogProbs, double beta,
        double epsilon, double epsilonHigh)
    {
        var ratio = (logProbs - oldLogProbs).exp();                                            // (B, T)
        var a = advantages.unsqueeze(1);                                                       // (B, 1)
        var perToken = -minimum(ratio * a, ratio.clamp(1 - epsilon, 1 + epsilonHigh) * a);      // (B, T)
        Tensor? kl = null;
        if (beta != 0)
        {
            if (referenceLogProbs is null) throw new ArgumentException("beta is not 0: the reference log-probs are needed", nameof(referenceLogProbs));
            var delta = referenceLogProbs - logProbs;                                           // (B, T)
            kl = delta.exp() - delta - 1;                                                       // k3 (Schulman 2020), GRPO eq. 4
            perToken = perToken + beta * kl;
        }
        var low = ((ratio < 1 - epsilon) & (a < 0)).to(ScalarType.Float32);
        var high = ((ratio > 1 + epsilonHigh) & (a > 0)).to(ScalarType.Float32);
        return new GrpoTokenLoss(perToken, ratio, low, high, kl);
    }

    /// <summary>Averages the per-token loss (B, T) over the completion mask (B, T) as <paramref name="lossType"/> says.</summary>
    public static Tensor Aggregate(Tensor perToken, Tensor mask, GrpoLossType lossType, int maxCompletionLength)
    {
        var masked = perToken * mask;                                                           // (B, T)
        return lossType switch
        {
            GrpoLossType.Grpo => (masked.sum(1) / mask.sum(1).clamp_min(1)).mean(),             // per completion, then over completions
            GrpoLossType.DrGrpo => masked.sum() / (perToken.shape[0] * maxCompletionLength),       // a constant: no length normalisation
            _ => masked.sum() / mask.sum().clamp_min(1),                                          // bnpo / dapo: over every token
        };
    }
}
