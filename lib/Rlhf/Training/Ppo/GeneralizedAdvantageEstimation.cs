using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Generalized Advantage Estimation over response tokens (Schulman et al. 2016, eq. 16).</summary>
public static class GeneralizedAdvantageEstimation
{
    /// <summary>
    /// delta_t = r_t + gamma * V_{t+1} - V_t and A_t = delta_t + gamma * lambda * A_{t+1}, computed backwards; the value
    /// after the last response token (and every padded position) is 0, so an episode ends at its end-of-text.
    /// Returns the advantages and the value targets (returns = A + V).
    /// </summary>
    /// <param name="rewards">(B, T) per-token rewards (KL penalty plus the score at the last token).</param>
    /// <param name="values">(B, T) the critic's values of the states before each response token.</param>
    /// <param name="mask">(B, T) 1 on response tokens, 0 on padding after the end.</param>
    /// <param name="gamma">Discount (1.0 for RLHF).</param>
    /// <param name="lambda">GAE lambda (0.95 by default in the N+ implementation details).</param>
    public static (Tensor Advantages, Tensor Returns) Compute(Tensor rewards, Tensor values, Tensor mask, double gamma, double lambda)
    {
        using var noGrad = no_grad();
        var maskedRewards = rewards * mask; // (B, T)
        var maskedValues = values * mask;   // (B, T)
        long length = rewards.shape[1];
        var advantages = new Tensor[length];
        var nextAdvantage = zeros_like(maskedValues[.., 0]); // (B)
        var nextValue = zeros_like(maskedValues[.., 0]);     // (B)
        for (long t = length - 1; t >= 0; t--)
        {
            var delta = maskedRewards[.., t] + gamma * nextValue - maskedValues[.., t];
            nextAdvantage = (delta + gamma * lambda * nextAdvantage) * mask[.., t];
            nextValue = maskedValues[.., t];
            advantages[t] = nextAdvantage;
        }
        var stacked = stack(advantages, dim: 1); // (B, T)
        return (stacked, (stacked + maskedValues) * mask);
    }
}
