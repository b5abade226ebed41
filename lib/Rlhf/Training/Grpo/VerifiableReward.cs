using Rlhf.World;

namespace Rlhf.Training;

/// <summary>
/// Reinforcement learning from verifiable rewards (RLVR, as in DeepSeek-R1 and Tulu 3): 1 when the world's own checker
/// finds the right answer, 0 otherwise, for the task families whose answers can be checked (sums, letter counts,
/// reversals); null (no reward) for the others, whose quality needs a judgement (facts that might be made up, refusals,
/// look-alikes). It only checks the answer: length, padding and tone are free, unlike the gold judge, which scores the
/// whole spec. It scores training prompts only: a held-out prompt (one of <c>eval_prompts.txt</c>'s task keys) throws,
/// so the held-out evaluation stays held out.
/// </summary>
public sealed class VerifiableReward : IRewardFunction
{
    /// <summary>The task families this reward can check.</summary>
    public static IReadOnlySet<TaskKind> CheckableKinds { get; } = new HashSet<TaskKind> { TaskKind.Arithmetic, TaskKind.CountLetter, TaskKind.ReverseWord };

    readonly IReadOnlySet<string> heldOutKeys;

    /// <summary>A verifiable reward that refuses every prompt whose task key is among <paramref name="heldOutPrompts"/>'.</summary>
    public VerifiableReward(IEnumerable<string> heldOutPrompts) =>
        heldOutKeys = heldOutPrompts.Select(WorldPrompts.Parse).Where(p => p is not null).Select(p => p!.Value.Task.QualifiedKey).ToHashSet();

    /// <inheritdoc/>
    public string Name => "verifiable";

    /// <summary>1, 0 or null for one completion of <paramref name="prompt"/>.</summary>
    public double? Score(string prompt, string completion)
    {
        var parsed = WorldPrompts.Parse(prompt);
        if (parsed is null || !CheckableKinds.Contains(parsed.Value.Task.Kind)) return null;
        if (heldOutKeys.Contains(parsed.Value.Task.QualifiedKey))
            throw new InvalidOperationException($"the verifiable reward was asked to score the held-out prompt '{prompt}': only training prompts may be rewarded");
        return GoldJudge.Score(parsed.Value.Task, completion.Trim()).Verdict == Verdict.Correct ? 1.0 : 0.0;
    }

    /// <inheritdoc/>
    public IReadOnlyList<double?> Score(CompletionBatch batch) => batch.Prompts.Select((p, i) => Score(p, batch.Completions[i])).ToArray();
}
