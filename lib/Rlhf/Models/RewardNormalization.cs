using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>
/// The shift and scale that turn a reward model's raw score into the reward PPO sees: (raw - Mean) / Std.
/// A Bradley-Terry model only learns reward <i>differences</i>, so its raw scores sit at an arbitrary offset;
/// subtracting the mean over the policy's own samples puts a typical answer at 0 (Ziegler et al. 2019, sec. 2.2;
/// Ouyang et al. 2022, appendix C.2), and dividing by the std gives the reward unit scale, so PPO's KL coefficient
/// means the same thing whatever the reward model. Stored as <c>reward_normalization.json</c> beside the weights.
/// </summary>
/// <param name="Mean">Subtracted from every raw score.</param>
/// <param name="Std">Divides the shifted score; positive. 1 leaves the scale alone.</param>
public sealed record RewardNormalization(double Mean, double Std)
{
    /// <summary>The file name inside a reward checkpoint folder.</summary>
    public const string FileName = "reward_normalization.json";

    /// <summary>No shift, no scale: raw scores pass through unchanged.</summary>
    public static RewardNormalization None { get; } = new(0.0, 1.0);

    /// <summary>
    /// The normalisation under which <paramref name="rawRewards"/> have mean 0 and, when <paramref name="divideByStd"/>,
    /// population standard deviation 1 (sqrt of the mean squared deviation, dividing by N, not N - 1).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two rewards, a non-finite reward, or (when scaling) all rewards equal.</exception>
    public static RewardNormalization FromSamples(IReadOnlyList<double> rawRewards, bool divideByStd = true)
    {
        ArgumentNullException.ThrowIfNull(rawRewards);
        if (rawRewards.Count < 2) throw new ArgumentException($"normalisation needs at least 2 rewards, got {rawRewards.Count}", nameof(rawRewards));
        if (rawRewards.Any(r => !double.IsFinite(r))) throw new ArgumentException("a reward to normalise by is NaN or infinite", nameof(rawRewards));
        double mean = rawRewards.Average();
        double std = Math.Sqrt(rawRewards.Sum(r => (r - mean) * (r - mean)) / rawRewards.Count);
        if (!divideByStd) return new RewardNormalization(mean, 1.0);
        if (!(std > 1e-12)) throw new ArgumentException($"all {rawRewards.Count} rewards are equal ({mean}), so there is no spread to divide by", nameof(rawRewards));
        return new RewardNormalization(mean, std);
    }

    /// <summary>(raw - Mean) / Std for one score.</summary>
    public double Apply(double rawReward) => (rawReward - Mean) / Std;

    /// <summary>(raw - Mean) / Std elementwise, any shape.</summary>
    public Tensor Apply(Tensor rawRewards) => (rawRewards - Mean) / Std;

    /// <summary>Throws naming the field when <see cref="Mean"/> is not finite or <see cref="Std"/> is not positive and finite.</summary>
    public RewardNormalization Validate()
    {
        if (!double.IsFinite(Mean)) throw new ArgumentException($"reward normalisation 'mean' must be a finite number, got {Mean}");
        if (!(Std > 0) || !double.IsFinite(Std)) throw new ArgumentException($"reward normalisation 'std' must be a positive finite number, got {Std}");
        return this;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"(raw - {Mean:G6}) / {Std:G6}");
}
