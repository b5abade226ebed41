using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>Per-token estimators of KL(policy || reference) from log-probs of tokens sampled from the policy
/// (Schulman 2020, "Approximating KL Divergence"). Both are unbiased in expectation; k3 is never negative.</summary>
public static class KlEstimators
{
    /// <summary>k1 = log pi(x) - log pi_ref(x): unbiased, high variance, can be negative per token.</summary>
    public static Tensor K1(Tensor policyLogProbs, Tensor referenceLogProbs) => policyLogProbs - referenceLogProbs;

    /// <summary>k3 = (r - 1) - log r with r = pi_ref(x) / pi(x): unbiased, lower variance, always &gt;= 0.</summary>
    public static Tensor K3(Tensor policyLogProbs, Tensor referenceLogProbs)
    {
        var logRatio = referenceLogProbs - policyLogProbs;
        return logRatio.exp() - 1 - logRatio;
    }
}
