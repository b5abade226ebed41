using Rlhf.Evaluation;
using Rlhf.Plots;

namespace Rlhf.Training;

/// <summary>What <see cref="SftTraining.Run"/> returns: the training run, the data report and the gold evaluation.</summary>
/// <param name="Training">Steps, losses and the metrics history (train and held-out loss) of the run.</param>
/// <param name="Data">What was loaded, held out and truncated.</param>
/// <param name="Before">The input model on the held-out prompts, or null when not evaluated.</param>
/// <param name="After">The fine-tuned model (as saved) on the same prompts.</param>
/// <param name="OutputFolder">The checkpoint folder of the fine-tuned model.</param>
public sealed record SftResult(TrainingResult Training, SftDataReport Data, PolicyEvaluation? Before, PolicyEvaluation After, string OutputFolder)
{
    /// <summary>Before and after side by side (rows = metrics), or the after table alone.</summary>
    public HtmlTable ToTable() => PolicyEvaluation.Headline(Before is null ? [After] : [Before, After]);
}
