namespace Rlhf.Training;

/// <summary>Which direct preference loss <see cref="DpoStage"/> optimises (<c>--set loss=ipo</c>).</summary>
public enum DpoLossKind
{
    /// <summary>DPO: -log sigmoid(beta * h) on summed response log-probs (Rafailov et al. 2023, eq. 7).</summary>
    Sigmoid,

    /// <summary>Conservative DPO (cDPO): the sigmoid loss with label smoothing, for labels assumed flipped with
    /// probability <see cref="DpoOptions.LabelSmoothing"/> (Mitchell 2023).</summary>
    Conservative,

    /// <summary>IPO: (h - 1 / (2 beta))^2 on length-normalised response log-probs (Azar et al. 2023, eq. 17).</summary>
    Ipo,

    /// <summary>Robust DPO (rDPO): the unbiased estimate of the clean-label DPO loss when each label is flipped with probability
    /// <see cref="DpoOptions.LabelSmoothing"/> (Chowdhury et al. 2024, "Provably Robust DPO").</summary>
    Robust,

    /// <summary>SimPO: -log sigmoid(beta * (mean log pi(y_w) - mean log pi(y_l)) - gamma), reference-free, on length-normalised
    /// log-probs with the target margin <see cref="DpoOptions.SimpoGamma"/> (Meng et al. 2024). Its beta is much larger than
    /// DPO's (the paper uses 2 to 10). The stage still computes the reference's log-probs (once, before training, with the
    /// default precompute_reference); the loss does not read them.</summary>
    Simpo,
}
