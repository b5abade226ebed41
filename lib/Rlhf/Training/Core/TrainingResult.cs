namespace Rlhf.Training;

/// <summary>What a finished run returns.</summary>
/// <param name="Steps">Optimizer steps done in total (including those before a resume).</param>
/// <param name="FinalLoss">Training loss of the last step.</param>
/// <param name="FinalEvaluation">The last evaluation's metrics.</param>
/// <param name="History">Every recorded metric, step by step.</param>
/// <param name="OutputFolder">Where the final model was written, or null when the run had no output folder.</param>
public sealed record TrainingResult(
    int Steps, double FinalLoss, IReadOnlyDictionary<string, double> FinalEvaluation, MetricsHistory History, string? OutputFolder);

/// <summary>Thrown when the loss becomes NaN or infinite; names the step and the last good checkpoint.</summary>
public sealed class TrainingDivergedException(int step, double loss, string? lastCheckpoint, string? what = null) : Exception(
    $"Training diverged at step {step}: {what ?? $"the loss is {loss}"}. " +
    (lastCheckpoint is null
        ? "No checkpoint known to be good was written before it (a good one has finite weights that then gave a finite loss); "
        : $"The last good checkpoint is '{lastCheckpoint}' (its weights gave a finite loss; resume from it); ") +
    "try a lower learning_rate, a smaller max_grad_norm, or more warmup_steps.")
{
    /// <summary>The optimizer step whose loss was not finite (1-based).</summary>
    public int Step { get; } = step;

    /// <summary>The newest checkpoint whose weights gave a finite loss when training went on from them, or null.</summary>
    public string? LastCheckpoint { get; } = lastCheckpoint;
}
