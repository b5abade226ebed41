using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>The reward model's pairwise loss.</summary>
public static class BradleyTerryLoss
{
    /// <summary>
    /// Per-pair loss -log sigmoid(r_chosen - r_rejected - margin) (Bradley and Terry 1952; Ouyang et al. 2022, eq. 1;
    /// the optional margin as in Touvron et al. 2023, Llama 2, eq. 2). Computed with logsigmoid for stability.
    /// </summary>
    /// <param name="chosenRewards">(N) reward of the preferred response of each pair.</param>
    /// <param name="rejectedRewards">(N) reward of the other response.</param>
    /// <param name="margin">(N) required reward gap per pair, or null for none.</param>
    /// <returns>(N) losses, one per pair (sum or average them as the caller needs).</returns>
    public static Tensor PerPair(Tensor chosenRewards, Tensor rejectedRewards, Tensor? margin = null)
    {
        var difference = chosenRewards - rejectedRewards; // (N)
        if (margin is not null) difference = difference - margin;
        return -nn.functional.logsigmoid(difference);
    }
}
