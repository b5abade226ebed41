using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// Critic-free advantages: each completion's reward against the other completions of its own prompt. Rewards (B) come in
/// groups of G consecutive rows (one prompt's G completions), as the trainers lay them out.
/// </summary>
public static class GroupAdvantages
{
    /// <summary>GRPO's group-relative advantage (Shao et al. 2024, sec. 4.1.2): A_i = (r_i - mean(group)) / (std(group) + 1e-4),
    /// the std taken over the group, over the whole batch, or not at all (<paramref name="scaling"/>); std is the unbiased
    /// sample std, as TRL computes it.</summary>
    public static Tensor GroupRelative(Tensor rewards, int groupSize, RewardScaling scaling)
    {
        var grouped = Grouped(rewards, groupSize);                                        // (B/G, G)
        var centred = (grouped - grouped.mean([1], keepdim: true)).reshape(-1);             // (B)
        return scaling switch
        {
            RewardScaling.Group => centred / (grouped.std(1, keepdim: true).expand_as(grouped).reshape(-1) + 1e-4),
            RewardScaling.Batch => centred / (rewards.std() + 1e-4),
            _ => centred,
        };
    }

    /// <summary>RLOO's leave-one-out advantage (Ahmadian et al. 2024, eq. 6; Kool et al. 2019): A_i = r_i - (sum_{j != i} r_j) / (G - 1).</summary>
    public static Tensor LeaveOneOut(Tensor rewards, int groupSize)
    {
        if (groupSize < 2) throw new ArgumentException($"a leave-one-out baseline needs at least 2 completions per prompt, not {groupSize}", nameof(groupSize));
        var grouped = Grouped(rewards, groupSize);                                        // (B/G, G)
        var baseline = (grouped.sum(1, keepdim: true) - grouped) / (groupSize - 1);          // (B/G, G)
        return (grouped - baseline).reshape(-1);                                           // (B)
    }

    /// <summary>Each group's reward standard deviation (B/G), unbiased.</summary>
    public static Tensor GroupStd(Tensor rewards, int groupSize) => Grouped(rewards, groupSize).std(1);

    /// <summary>TRL's <c>frac_reward_zero_std</c>: the share of groups whose G rewards are all equal (within 1e-8), which
    /// give no learning signal at all: prompts too easy (all right) or too hard (all wrong) for the policy.</summary>
    public static double ZeroStdFraction(Tensor rewards, int groupSize)
    {
        using var scope = NewDisposeScope();
        var grouped = Grouped(rewards, groupSize);
        return (grouped.max(1).values - grouped.min(1).values).le(1e-8).to(ScalarType.Float32).mean().item<float>();
    }

    static Tensor Grouped(Tensor rewards, int groupSize)
    {
        if (rewards.dim() != 1 || groupSize < 1 || rewards.shape[0] % groupSize != 0)
            throw new ArgumentException($"rewards must be (B) with B a multiple of the group size {groupSize}; got shape [{string.Join(", ", rewards.shape)}]", nameof(rewards));
        return rewards.to(ScalarType.Float32).reshape(-1, groupSize);
    }
}
