namespace Rlhf.Training;

/// <summary>One optimizer step's numbers.</summary>
/// <param name="Step">1-based count of optimizer steps done.</param>
/// <param name="TotalSteps">Steps the run will make.</param>
/// <param name="Loss">Mean loss per loss item over the whole step (all accumulated micro-batches).</param>
/// <param name="LearningRate">The rate used for this step.</param>
/// <param name="GradientNorm">Global gradient norm before clipping.</param>
/// <param name="Items">Loss items (tokens or pairs) in the step.</param>
/// <param name="ItemsPerSecond">Throughput of this step.</param>
/// <param name="Metrics">The stage's metrics, per item.</param>
public sealed record TrainingStep(
    int Step, int TotalSteps, double Loss, double LearningRate, double GradientNorm, long Items, double ItemsPerSecond,
    IReadOnlyDictionary<string, double> Metrics);

/// <summary>Progress callbacks of a training run: the CLI draws a progress bar, notebooks an updating display,
/// <see cref="TensorBoardObserver"/> writes event files. Every method has an empty default.</summary>
public interface ITrainingObserver
{
    /// <summary>Called once before the first step (after a resume, with the step it resumes from).</summary>
    void OnStart(int fromStep, int totalSteps) { }

    /// <summary>Called after every optimizer step.</summary>
    void OnStep(TrainingStep step) { }

    /// <summary>Called after each evaluation with its metrics (names prefixed <c>eval/</c>).</summary>
    void OnEvaluation(int step, IReadOnlyDictionary<string, double> metrics) { }

    /// <summary>Called when a checkpoint folder is complete.</summary>
    void OnCheckpoint(int step, string folder) { }

    /// <summary>Called once after the last step.</summary>
    void OnEnd(TrainingResult result) { }
}
