using Rlhf.Plots;
using Rlhf.World;

namespace Rlhf.Evaluation;

/// <summary>One task kind's share of a head-to-head: on how many of its prompts the candidate's gold score beat, lost to
/// or tied the baseline's.</summary>
/// <param name="Kind">The task kind.</param>
/// <param name="Prompts">Held-out prompts of this kind.</param>
/// <param name="Wins">Prompts where the candidate scored higher.</param>
/// <param name="Losses">Prompts where the candidate scored lower.</param>
public sealed record KindWins(TaskKind Kind, int Prompts, int Wins, int Losses)
{
    /// <summary>Prompts where both scored the same.</summary>
    public int Ties => Prompts - Wins - Losses;
}

/// <summary>
/// Where a gold win rate comes from. A win rate of 55% over 172 prompts is 18 more wins than losses: this splits the wins
/// and losses by task kind, so a learner sees whether a policy won by answering better or by refusing more (on TinyWorld,
/// harmful requests now refused are the largest share of PPO's and DPO's wins; docs/results/04-ppo.md, 05-dpo.md).
/// </summary>
public static class WinsByKind
{
    /// <summary>Per task kind (in the order kinds first appear), the wins, losses and ties of <paramref name="candidate"/>
    /// against <paramref name="baseline"/>. Both must be evaluations of the same prompts in the same order; scores within
    /// <paramref name="tieTolerance"/> tie, as in <see cref="Statistics.WinRate"/>.</summary>
    public static IReadOnlyList<KindWins> Count(PolicyEvaluation candidate, PolicyEvaluation baseline, double tieTolerance = 1e-9)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(baseline);
        if (candidate.Samples.Count != baseline.Samples.Count)
            throw new ArgumentException($"'{candidate.Policy}' answered {candidate.Samples.Count} prompts and '{baseline.Policy}' {baseline.Samples.Count}; compare evaluations of the same prompt list");
        for (int i = 0; i < candidate.Samples.Count; i++)
            if (candidate.Samples[i].Prompt != baseline.Samples[i].Prompt)
                throw new ArgumentException($"prompt {i + 1} differs: '{candidate.Policy}' answered \"{candidate.Samples[i].Prompt}\", '{baseline.Policy}' \"{baseline.Samples[i].Prompt}\"");
        return candidate.Samples.Zip(baseline.Samples)
            .GroupBy(pair => pair.First.Kind)
            .Select(g => new KindWins(g.Key, g.Count(),
                g.Count(p => p.First.GoldScore > p.Second.GoldScore + tieTolerance),
                g.Count(p => p.First.GoldScore < p.Second.GoldScore - tieTolerance)))
            .ToList();
    }

    /// <summary>The counts of <see cref="Count"/> as a table, with a total row and each kind's net wins (wins - losses).</summary>
    public static HtmlTable Table(PolicyEvaluation candidate, PolicyEvaluation baseline) =>
        Table(Count(candidate, baseline), candidate.Policy, baseline.Policy);

    /// <summary>Counts already made by <see cref="Count"/> as that table, the policies named in the caption.</summary>
    public static HtmlTable Table(IReadOnlyList<KindWins> kinds, string candidate, string baseline)
    {
        var rows = kinds.Select(k => (IReadOnlyList<object?>)[k.Kind.ToString(), k.Prompts, k.Wins, k.Losses, k.Ties, k.Wins - k.Losses]).ToList();
        int wins = kinds.Sum(k => k.Wins), losses = kinds.Sum(k => k.Losses), prompts = kinds.Sum(k => k.Prompts);
        rows.Add(["all", prompts, wins, losses, prompts - wins - losses, wins - losses]);
        return new HtmlTable($"{candidate} against {baseline}, prompt by prompt (gold score): where the wins come from",
            ["task", "prompts", "wins", "losses", "ties", "net"], rows);
    }
}
