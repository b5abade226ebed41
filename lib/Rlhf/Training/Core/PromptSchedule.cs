using Rlhf.Torch;

namespace Rlhf.Training;

/// <summary>Which prompts an RL step samples: consecutive slices of a seeded shuffle, reshuffled each time the prompts run
/// out (a pure function of the seed and the step, so a resumed run draws what an uninterrupted one would). PPO, GRPO and
/// RLOO all take their prompts this way.</summary>
public static class PromptSchedule
{
    /// <summary>The <paramref name="count"/> prompts of step <paramref name="step"/>.</summary>
    public static IReadOnlyList<T> Take<T>(IReadOnlyList<T> prompts, long seed, int step, int count)
    {
        var chosen = new List<T>(count);
        long first = (long)step * count;
        int[] order = [];
        long orderPass = -1;
        for (long k = first; k < first + count; k++)
        {
            long pass = k / prompts.Count;
            if (pass != orderPass)
            {
                var shuffle = Seeding.Derive(seed, RandomStreams.PpoPromptOrder + pass);
                order = Enumerable.Range(0, prompts.Count).OrderBy(_ => shuffle.Next()).ToArray();
                orderPass = pass;
            }
            chosen.Add(prompts[order[k % prompts.Count]]);
        }
        return chosen;
    }
}
