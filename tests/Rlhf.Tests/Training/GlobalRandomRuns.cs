namespace Rlhf.Tests.Training;

/// <summary>Tests whose numbers depend on torch's global random generator (seed determinism, resume with dropout, PPO runs)
/// run on their own: a test on another thread drawing from the same process-wide generator would change their numbers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomRuns
{
    public const string Name = "Global random generator";
}
