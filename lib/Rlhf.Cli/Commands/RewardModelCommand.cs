using System.CommandLine;
using System.Globalization;
using Rlhf.Checkpoints;
using Rlhf.Cli.Training;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf rm</c>: stage 2, the reward model. Binds <see cref="RewardModelOptions"/> from its defaults, <c>--config</c> and
/// <c>--set</c>, calls <see cref="RewardModelTraining.Run"/> (the same call notebook 03 makes) and prints the held-out table.
/// </summary>
static class RewardModelCommand
{
    public static Command Create()
    {
        var arguments = new StageOptionsArguments($"Output folder for the reward checkpoint (default {new RewardModelOptions().OutputFolder}).", resumable: false);
        var resume = new Option<string?>("--resume") { Description = "Continue from a trainer checkpoint folder (OUT/checkpoints/step-NNNNNN)." };
        var command = new Command("rm", "Stage 2: train the reward model on pairwise preferences (Bradley-Terry), then normalise it on SFT samples.");
        arguments.AddTo(command);
        command.Add(resume);
        command.SetAction(parse =>
        {
            RewardModelOptions options;
            try
            {
                options = arguments.Bind(parse, new RewardModelOptions());
                options.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2; // bad options: a usage error, as every training verb reports it
            }
            try
            {
                RewardModelResult? result = null;
                ConsoleTrainingProgress.Run("reward model", "pairs", observer =>
                {
                    result = RewardModelTraining.Run(options, [observer], parse.GetValue(resume));
                    return result.Training;
                });
                Print(result!);
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or CheckpointFormatException
                                          or Rlhf.Data.DatasetFormatException or TrainingDivergedException or UnauthorizedAccessException)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
                return 1;
            }
        });
        return command;
    }

    static void Print(RewardModelResult result)
    {
        var heldOut = result.HeldOut;
        var table = new Table().AddColumns("held-out pairs", "value");
        string Percent(double x) => x.ToString("P1", CultureInfo.InvariantCulture);
        table.AddRow("pairs", heldOut.Pairs.ToString(CultureInfo.InvariantCulture));
        table.AddRow("accuracy vs labels", Percent(heldOut.Accuracy));
        table.AddRow("mean margin (raw)", heldOut.MeanMargin.ToString("F3", CultureInfo.InvariantCulture));
        table.AddRow($"accuracy vs gold ({heldOut.GoldPairs} pairs; {heldOut.GoldTies} gold ties skipped)", Percent(heldOut.GoldAccuracy));
        table.AddRow("labels vs gold (label noise)", Percent(heldOut.LabelGoldAgreement));
        table.AddRow("normalisation", Markup.Escape(result.Normalization.ToString()));
        table.AddRow("truncated pairs", result.TruncatedPairs.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"reward checkpoint: {Markup.Escape(result.OutputFolder)}");
    }
}
