using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>What the PPO policy loss reports besides the loss.</summary>
/// <param name="Loss">Scalar loss to minimise.</param>
/// <param name="ClipFraction">Fraction of tokens where the clipped branch was taken.</param>
/// <param name="ApproximateKl">0.5 * mean((log pi - log pi_old)^2), a cheap KL(old || new) estimate.</param>
/// <param name="MeanRatio">Mean probability ratio over response tokens (1 on the first epoch).</param>
public sealed record PolicyLossResult(Tensor Loss, Tensor ClipFraction, Tensor ApproximateKl, Tensor MeanRatio);

/// <summary>PPO's clipped objectives (Schulman et al. 2017), token-level, as in Huang et al. 2024
/// ("The N+ Implementation Details of RLHF with PPO").</summary>
public static class PpoLoss
{
    /// <summary>
    /// L = masked_mean(max(-A * ratio, -A * clip(ratio, 1 - eps, 1 + eps))) with ratio = exp(log pi - log pi_old)
    /// (Schulman et al. 2017, eq. 7, negated for minimisation).
    /// </summary>
    /// <param name="logProbs">(B, T) log pi of the rollout tokens under the current policy (same temperature as the rollout).</param>
    /// <param name="oldLogProbs">(B, T) log pi_old recorded at rollout time.</param>
    /// <param name="advantages">(B, T) whitened advantages.</param>
    /// <param name="mask">(B, T) response mask.</param>
    /// <param name="clipRange">eps (0.2).</param>
    public static PolicyLossResult ClippedSurrogate(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor mask, double clipRange)
    {
        var logRatio = logProbs - oldLogProbs;                  // (B, T)
        var ratio = logRatio.exp();                             // (B, T)
        var unclipped = -advantages * ratio;                    // (B, T)
        var clipped = -advantages * ratio.clamp(1 - clipRange, 1 + clipRange);
        var loss = MaskedStatistics.Mean(maximum(unclipped, clipped), mask);
        var clipFraction = MaskedStatistics.Mean((clipped > unclipped).to(logProbs.dtype), mask);
        var approximateKl = 0.5 * MaskedStatistics.Mean(logRatio * logRatio, mask);
        return new PolicyLossResult(loss, clipFraction.detach(), approximateKl.detach(), MaskedStatistics.Mean(ratio, mask).detach());
    }

    /// <summary>
    /// L_V = 0.5 * masked_mean(max((V - R)^2, (V_clipped - R)^2)) with V_clipped = V_old + clip(V - V_old, -eps, eps)
    /// (the value clipping of Huang et al. 2024, detail 9, as in OpenAI's lm-human-preferences). Returns the loss and
    /// the fraction of tokens where the clipped branch was larger.
    /// </summary>
    public static (Tensor Loss, Tensor ClipFraction) ClippedValue(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clipRange)
    {
        var clippedValues = oldValues + (values - oldValues).clamp(-clipRange, clipRange); // (B, T)
        var unclippedError = (values - returns).square();
        var clippedError = (clippedValues - returns).square();
        var loss = 0.5 * MaskedStatistics.Mean(maximum(unclippedError, clippedError), mask);
        return (loss, MaskedStatistics.Mean((clippedError > unclippedError).to(values.dtype), mask).detach());
    }
}
