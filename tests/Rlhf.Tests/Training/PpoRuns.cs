namespace Rlhf.Tests.Training;

/// <summary>PPO tests seed and draw from torch's global generator (model initialisation) and are the heaviest training tests:
/// they run on their own, never beside another test whose numbers depend on the same global generator.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PpoRuns
{
    public const string Name = "PPO runs";
}
