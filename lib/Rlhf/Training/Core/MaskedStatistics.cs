using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>Means, variances and whitening over the positions a 0/1 mask selects (TRL's <c>masked_mean</c>,
/// <c>masked_var</c>, <c>masked_whiten</c>): padding never enters a statistic.</summary>
public static class MaskedStatistics
{
    /// <summary>sum(values * mask) / sum(mask) over all positions.</summary>
    public static Tensor Mean(Tensor values, Tensor mask) => (values * mask).sum() / mask.sum();

    /// <summary>The masked variance with Bessel's correction n/(n-1), as TRL computes it.</summary>
    public static Tensor Variance(Tensor values, Tensor mask)
    {
        var mean = Mean(values, mask);
        var centred = values - mean;
        var variance = Mean(centred * centred, mask);
        var count = mask.sum();
        return variance * count / (count - 1);
    }

    /// <summary>(values - mean) / sqrt(variance + 1e-8) over masked positions; with <paramref name="shiftMean"/> false the
    /// mean is added back (PPO whitens advantages with the shift, rewards without). Masked-out positions become 0.</summary>
    public static Tensor Whiten(Tensor values, Tensor mask, bool shiftMean = true)
    {
        var mean = Mean(values, mask);
        var whitened = (values - mean) * rsqrt(Variance(values, mask) + 1e-8);
        if (!shiftMean) whitened = whitened + mean;
        return whitened * mask;
    }
}
