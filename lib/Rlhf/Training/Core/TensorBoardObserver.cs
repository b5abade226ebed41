using TorchSharp;
using TorchSharp.Modules;

namespace Rlhf.Training;

/// <summary>Writes every step's and evaluation's metrics as TensorBoard scalars (TorchSharp's SummaryWriter):
/// <c>tensorboard --logdir DIR</c> shows the curves. Each scalar is appended to the event file as it is added.</summary>
public sealed class TensorBoardObserver(string logDirectory) : ITrainingObserver
{
    readonly SummaryWriter writer = torch.utils.tensorboard.SummaryWriter(logDirectory);

    /// <inheritdoc />
    public void OnStep(TrainingStep step)
    {
        writer.add_scalar("train/loss", (float)step.Loss, step.Step);
        writer.add_scalar("train/learning_rate", (float)step.LearningRate, step.Step);
        writer.add_scalar("train/grad_norm", (float)step.GradientNorm, step.Step);
        writer.add_scalar("train/items_per_second", (float)step.ItemsPerSecond, step.Step);
        foreach (var (name, value) in step.Metrics) writer.add_scalar("train/" + name, (float)value, step.Step);
    }

    /// <inheritdoc />
    public void OnEvaluation(int step, IReadOnlyDictionary<string, double> metrics)
    {
        foreach (var (name, value) in metrics) writer.add_scalar(name, (float)value, step);
    }
}
