using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Training;

/// <summary>A Spectre.Console progress bar for a training run: step, loss and items (tokens or pairs) per second,
/// plus a line per evaluation and checkpoint.</summary>
sealed class ConsoleTrainingProgress(ProgressTask task, string itemName) : ITrainingObserver
{
    /// <summary>Runs <paramref name="train"/> with a progress bar named <paramref name="title"/>.</summary>
    public static TrainingResult Run(string title, string itemName, Func<ITrainingObserver, TrainingResult> train) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context => train(new ConsoleTrainingProgress(context.AddTask(Markup.Escape(title)), itemName)));

    /// <inheritdoc />
    public void OnStart(int fromStep, int totalSteps)
    {
        task.MaxValue = totalSteps;
        task.Value = fromStep;
    }

    /// <inheritdoc />
    public void OnStep(TrainingStep step)
    {
        task.Value = step.Step;
        task.Description = Markup.Escape($"step {step.Step}/{step.TotalSteps}  loss {step.Loss:F4}  {step.ItemsPerSecond:N0} {itemName}/s");
    }

    /// <inheritdoc />
    public void OnEvaluation(int step, IReadOnlyDictionary<string, double> metrics) =>
        AnsiConsole.MarkupLine($"[grey]step {step}[/] " + Markup.Escape(string.Join("  ", metrics.Select(m => $"{m.Key} {m.Value:F4}"))));

    /// <inheritdoc />
    public void OnCheckpoint(int step, string folder) => AnsiConsole.MarkupLine($"[grey]checkpoint[/] {Markup.Escape(folder)}");
}
