using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>How <see cref="RewardEnsemble"/> combines its members' scores of one sequence.</summary>
public enum EnsembleAggregation
{
    /// <summary>The members' mean: averages out each member's own errors (Coste et al. 2023, "mean optimization").</summary>
    Mean,

    /// <summary>The members' minimum: the policy is paid only what every member agrees on (Coste et al. 2023,
    /// "worst-case optimization", WCO), the more conservative choice.</summary>
    Min,
}

/// <summary>
/// A reward from several reward models trained with different seeds, as in Coste et al. 2023, "Reward Model Ensembles
/// Help Mitigate Overoptimization": the policy can exploit one model's idiosyncratic errors, but errors the members do not
/// share are averaged away (mean) or refused (min). The members should be normalised the same way (the course normalises
/// each on the SFT policy's samples to mean 0 and std 1), so their scores are on one scale. Errors every member shares
/// (a bias in the labels they were all trained on) are not removed.
/// </summary>
public sealed class RewardEnsemble : IRewardScorer
{
    readonly IReadOnlyList<IRewardScorer> members;

    /// <summary>An ensemble of <paramref name="members"/> (at least one) combined by <paramref name="aggregation"/>.</summary>
    public RewardEnsemble(IReadOnlyList<IRewardScorer> members, EnsembleAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0) throw new ArgumentException("a reward ensemble needs at least one member", nameof(members));
        if (!Enum.IsDefined(aggregation)) throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "unknown ensemble aggregation");
        this.members = members;
        Aggregation = aggregation;
    }

    /// <summary>How the members' scores are combined.</summary>
    public EnsembleAggregation Aggregation { get; }

    /// <summary>Number of members.</summary>
    public int Count => members.Count;

    /// <inheritdoc />
    public Tensor Score(Tensor sequenceIds, Tensor sequenceMask, int promptLength)
    {
        using var scope = NewDisposeScope();
        var scores = stack(members.Select(m => m.Score(sequenceIds, sequenceMask, promptLength).to(ScalarType.Float32)).ToArray()); // (K, B)
        return Aggregate(scores, Aggregation).MoveToOuterDisposeScope(); // (B)
    }

    /// <summary>
    /// Combines member scores (K, B) into one score per sequence (B): their mean over the K members, or their minimum
    /// (Coste et al. 2023, section 3: mean optimisation and worst-case optimisation).
    /// </summary>
    public static Tensor Aggregate(Tensor memberScores, EnsembleAggregation aggregation) => aggregation switch
    {
        EnsembleAggregation.Mean => memberScores.mean([0]),     // (B)
        EnsembleAggregation.Min => memberScores.min(0).values, // (B)
        _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "unknown ensemble aggregation"),
    };
}
