using System.Text.Json.Nodes;

namespace Rlhf.Training;

/// <summary>
/// What a stage plugs into the one <see cref="TrainingLoop"/>: how to take one step (an optimizer step of pretraining, SFT,
/// the reward model or DPO through <see cref="Trainer{TBatch}"/>; a rollout-then-update iteration of PPO), how to evaluate,
/// and what its resumable state is. The loop owns the rest: observers, history, step checkpoints, resume, the NaN guard.
/// </summary>
public interface ILoopStage
{
    /// <summary>Steps the run makes in total.</summary>
    int TotalSteps { get; }

    /// <summary>The options a checkpoint records and a resume must match (their JSON form).</summary>
    JsonObject OptionsSnapshot { get; }

    /// <summary>Option names (JSON) a resumed run may change: cadences, and what a diverged run needs turned down.</summary>
    IReadOnlySet<string> ResumableChanges { get; }

    /// <summary>Runs step <paramref name="step"/> (0-based). When its loss is not finite it must leave the weights as they were
    /// (no update) and return that loss: the loop then stops, naming the last good checkpoint.</summary>
    TrainingStep Step(int step);

    /// <summary>Held-out metrics after step <paramref name="step"/> (1-based count done), or null when none is due; the loop
    /// records them in the history.</summary>
    IReadOnlyDictionary<string, double>? Evaluate(int step, bool last);

    /// <summary>What the run reports as its final metrics when the last step had no evaluation (PPO: the last rollout's).</summary>
    IReadOnlyDictionary<string, double> Summary(MetricsHistory history) => new Dictionary<string, double>();

    /// <summary>Whether the loop writes a step checkpoint after the last step too (the final model is written either way).</summary>
    bool CheckpointsLastStep => true;

    /// <summary>Whether the trained weights are all finite (checked before a checkpoint is written).</summary>
    bool WeightsAreFinite();

    /// <summary>Writes everything a resume needs besides the RNG and the history (weights, optimizer moments, controller state).</summary>
    void SaveState(string folder);

    /// <summary>Reads what <see cref="SaveState"/> wrote.</summary>
    void LoadState(string folder);

    /// <summary>Writes the final model into the stage's output folder.</summary>
    void SaveFinal(string folder);
}
