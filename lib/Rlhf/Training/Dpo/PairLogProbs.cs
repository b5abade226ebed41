using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Summed response log-probs of the two responses of N preference pairs under one model (policy or reference).</summary>
/// <param name="Chosen">(N) log pi(y_w | x), summed over the chosen response's tokens.</param>
/// <param name="Rejected">(N) log pi(y_l | x), summed over the rejected response's tokens.</param>
/// <param name="ChosenTokens">(N) float: tokens in each chosen response (for length normalisation).</param>
/// <param name="RejectedTokens">(N) float: tokens in each rejected response.</param>
public sealed record PairLogProbs(Tensor Chosen, Tensor Rejected, Tensor ChosenTokens, Tensor RejectedTokens)
{
    /// <summary>Splits the (2N) log-probs of one concatenated forward (chosen rows first, then rejected rows).</summary>
    public static PairLogProbs FromConcatenated(Tensor sums, Tensor tokens)
    {
        long pairs = sums.shape[0] / 2;
        return new PairLogProbs(sums.narrow(0, 0, pairs), sums.narrow(0, pairs, pairs), tokens.narrow(0, 0, pairs), tokens.narrow(0, pairs, pairs));
    }

    /// <summary>Per-token means: log pi / |y| for both responses (IPO's length normalisation).</summary>
    public PairLogProbs LengthNormalised() => this with { Chosen = Chosen / ChosenTokens, Rejected = Rejected / RejectedTokens };
}
