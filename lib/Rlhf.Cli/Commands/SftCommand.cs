using System.CommandLine;
using Rlhf.Checkpoints;
using Rlhf.Cli.Training;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf sft</c>: supervised fine-tuning of the base model on TinyWorld's ideal responses, then the gold
/// judge's before/after table on held-out prompts (<see cref="SftTraining.Run"/>, the notebook's entry point too).</summary>
static class SftCommand
{
    public static Command Create()
    {
        var arguments = new StageOptionsArguments($"Output folder for the fine-tuned model (default {new SftOptions().OutputFolder}).", resumable: true);
        var command = new Command("sft", "Supervised fine-tuning (stage 1): completion-only loss through the chat template's mask, then the gold judge on held-out prompts.");
        arguments.AddTo(command);
        command.SetAction(parse =>
        {
            SftOptions options;
            try
            {
                options = arguments.Bind(parse, new SftOptions());
                options.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"rlhf sft: {e.Message}");
                return 2;
            }
            return Run(options);
        });
        return command;
    }

    static int Run(SftOptions options)
    {
        try
        {
            SftResult? result = null;
            ConsoleTrainingProgress.Run("sft", "tokens", observer =>
            {
                result = SftTraining.Run(options, [observer]);
                return result.Training;
            });
            AnsiConsole.MarkupLine(Markup.Escape(result!.Data.ToString()));
            Console.WriteLine();
            Console.Write(result.ToTable().ToString());
            AnsiConsole.MarkupLine(Markup.Escape($"Wrote {result.OutputFolder} (seed {options.Training.Seed}, {result.Training.Steps} steps)."));
            return 0;
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or InvalidDataException or ArgumentException or TrainingDivergedException
                                      or Rlhf.Data.DatasetFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rlhf sft: {e.Message}");
            return 1;
        }
    }
}
