using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Per-pair losses of one micro-batch and the metric sums the trainer divides by the number of pairs.</summary>
/// <param name="Losses">(N) per-pair losses (keeps its graph).</param>
/// <param name="MetricSums">Scalar sums over the N pairs, TRL's names: <c>rewards/chosen</c>, <c>rewards/rejected</c>,
/// <c>rewards/accuracies</c>, <c>rewards/margins</c>, <c>logps/chosen</c>, <c>logps/rejected</c>.</param>
public sealed record DpoPairLosses(Tensor Losses, IReadOnlyDictionary<string, Tensor> MetricSums);

/// <summary>
/// The loss <see cref="DpoOptions"/> asks for, from policy and reference log-probs: picks the <see cref="DpoLoss"/>
/// by <see cref="DpoLossKind"/>, length-normalises for IPO, adds the optional SFT term, and sums the metrics.
/// </summary>
public static class DpoObjective
{
    /// <summary>
    /// Per-pair losses and metric sums. IPO works on length-normalised log-probs (mean per token), as TRL does:
    /// IPO regresses the margin h to the fixed target 1 / (2 beta), and a summed h grows with the responses' length,
    /// so the same target would ask a long pair for a far smaller per-token change than a short one; per-token means
    /// make the target mean the same for every pair. SimPO is defined on per-token means too (Meng et al. 2024, eq. 4) and
    /// ignores the reference. The sigmoid losses use sums (the paper's log pi(y | x)): their target is "as large as
    /// possible", which has no length-dependent scale to fix.
    /// The rewards and logps metrics are computed from the log-probs the loss used (sums, or per-token means for IPO and
    /// SimPO; SimPO's rewards are beta * mean log pi, without a reference).
    /// </summary>
    public static DpoPairLosses Compute(DpoOptions options, PairLogProbs policy, PairLogProbs reference)
    {
        var (pi, piRef) = options.Loss is DpoLossKind.Ipo or DpoLossKind.Simpo
            ? (policy.LengthNormalised(), reference.LengthNormalised())
            : (policy, reference);
        var result = options.Loss switch
        {
            DpoLossKind.Sigmoid => DpoLoss.Sigmoid(pi.Chosen, pi.Rejected, piRef.Chosen, piRef.Rejected, options.Beta),
            DpoLossKind.Conservative => DpoLoss.ConservativeSigmoid(pi.Chosen, pi.Rejected, piRef.Chosen, piRef.Rejected, options.Beta, options.LabelSmoothing),
            DpoLossKind.Robust => DpoLoss.Robust(pi.Chosen, pi.Rejected, piRef.Chosen, piRef.Rejected, options.Beta, options.LabelSmoothing),
            DpoLossKind.Ipo => DpoLoss.Ipo(pi.Chosen, pi.Rejected, piRef.Chosen, piRef.Rejected, options.Beta),
            DpoLossKind.Simpo => DpoLoss.Simpo(pi.Chosen, pi.Rejected, options.Beta, options.SimpoGamma), // no reference
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Loss, "unknown DPO loss kind"),
        };
        var losses = result.Losses; // (N)
        if (options.SftWeight > 0) losses = losses + options.SftWeight * (-policy.Chosen / policy.ChosenTokens); // (N) + mean NLL of y_w
        var margins = result.ChosenRewards - result.RejectedRewards; // (N)
        var metrics = new Dictionary<string, Tensor>
        {
            ["rewards/chosen"] = result.ChosenRewards.sum(),
            ["rewards/rejected"] = result.RejectedRewards.sum(),
            ["rewards/accuracies"] = margins.gt(0).to(margins.dtype).sum(),
            ["rewards/margins"] = margins.sum(),
            ["logps/chosen"] = pi.Chosen.detach().sum(),
            ["logps/rejected"] = pi.Rejected.detach().sum(),
        };
        return new DpoPairLosses(losses, metrics);
    }
}
