using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Per-pair DPO-family losses and the implicit rewards beta * (log pi - log pi_ref).</summary>
/// <param name="Losses">(N) per-pair losses.</param>
/// <param name="ChosenRewards">(N) beta * (log pi(y_w) - log pi_ref(y_w)), detached.</param>
/// <param name="RejectedRewards">(N) beta * (log pi(y_l) - log pi_ref(y_l)), detached.</param>
public sealed record PreferenceLossResult(Tensor Losses, Tensor ChosenRewards, Tensor RejectedRewards);

/// <summary>
/// Direct preference losses on summed (or, for IPO and SimPO, length-normalised, chosen by the caller) response log-probs.
/// h = (log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l)) is the log-ratio margin of every loss but
/// SimPO, which has no reference.
/// </summary>
public static class DpoLoss
{
    /// <summary>DPO: -log sigmoid(beta * h) (Rafailov et al. 2023, eq. 7).</summary>
    public static PreferenceLossResult Sigmoid(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta) =>
        ConservativeSigmoid(policyChosen, policyRejected, referenceChosen, referenceRejected, beta, labelSmoothing: 0);

    /// <summary>cDPO: -(1 - eps) log sigmoid(beta * h) - eps log sigmoid(-beta * h), the DPO loss when a fraction eps of
    /// labels is assumed flipped (Mitchell 2023, "A note on DPO with noisy preferences"; eps = 0 is plain DPO).</summary>
    public static PreferenceLossResult ConservativeSigmoid(
        Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta, double labelSmoothing)
    {
        var (margin, chosen, rejected) = Margins(policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
        var losses = -(1 - labelSmoothing) * nn.functional.logsigmoid(beta * margin) - labelSmoothing * nn.functional.logsigmoid(-beta * margin);
        return new PreferenceLossResult(losses, chosen, rejected);
    }

    /// <summary>rDPO: [(1 - eps) * -log sigmoid(beta * h) - eps * -log sigmoid(-beta * h)] / (1 - 2 eps), whose expectation over
    /// labels flipped with probability eps is the DPO loss on the clean labels (Chowdhury et al. 2024, "Provably Robust DPO").
    /// Unlike cDPO's, its gradient never vanishes: d loss / dh = -beta * w with w between eps / (1 - 2 eps) (pairs clearly
    /// won) and (1 - eps) / (1 - 2 eps) (pairs clearly lost). eps = 0 is plain DPO.</summary>
    public static PreferenceLossResult Robust(
        Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta, double flipRate)
    {
        var (margin, chosen, rejected) = Margins(policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
        var losses = (-(1 - flipRate) * nn.functional.logsigmoid(beta * margin) + flipRate * nn.functional.logsigmoid(-beta * margin)) / (1 - 2 * flipRate);
        return new PreferenceLossResult(losses, chosen, rejected);
    }

    /// <summary>IPO: (h - 1 / (2 beta))^2 (Azar et al. 2023, eq. 17): regresses the margin to a fixed target instead of
    /// pushing it to infinity. Its beta is the paper's tau.</summary>
    public static PreferenceLossResult Ipo(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta)
    {
        var (margin, chosen, rejected) = Margins(policyChosen, policyRejected, referenceChosen, referenceRejected, beta);
        return new PreferenceLossResult((margin - 1 / (2 * beta)).square(), chosen, rejected);
    }

    /// <summary>SimPO: -log sigmoid(beta * (mean log pi(y_w) - mean log pi(y_l)) - gamma) (Meng et al. 2024, eq. 6): no
    /// reference model; the reward is the policy's own per-token mean log-prob, scaled by beta, and the chosen response must
    /// win by the target margin gamma. Takes per-token mean log-probs; its rewards are beta * mean log pi.</summary>
    public static PreferenceLossResult Simpo(Tensor policyChosenMean, Tensor policyRejectedMean, double beta, double gamma)
    {
        var chosen = beta * policyChosenMean;     // (N)
        var rejected = beta * policyRejectedMean; // (N)
        var losses = -nn.functional.logsigmoid(chosen - rejected - gamma);
        return new PreferenceLossResult(losses, chosen.detach(), rejected.detach());
    }

    static (Tensor Margin, Tensor Chosen, Tensor Rejected) Margins(
        Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected, double beta)
    {
        var chosenLogRatio = policyChosen - referenceChosen;       // (N)
        var rejectedLogRatio = policyRejected - referenceRejected; // (N)
        return (chosenLogRatio - rejectedLogRatio, (beta * chosenLogRatio).detach(), (beta * rejectedLogRatio).detach());
    }
}
