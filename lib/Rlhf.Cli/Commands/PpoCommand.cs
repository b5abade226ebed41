using System.CommandLine;
using System.Globalization;
using Rlhf.Checkpoints;
using Rlhf.Cli.Training;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf ppo [--config file] [--set kl_coef=0.1] [--out DIR]</c>: PPO from the SFT policy against the reward
/// model, through <see cref="PpoTraining.Run"/> (the call notebook 04 makes).</summary>
static class PpoCommand
{
    public static Command Create()
    {
        var arguments = new StageOptionsArguments();
        var output = new Option<string?>("--out") { Description = $"Output folder for the policy checkpoint and history.json (default {new PpoOptions().OutputFolder})." };
        var command = new Command("ppo", "RLHF with PPO: policy from the SFT checkpoint, frozen reference, frozen reward model, critic from the reward model.");
        arguments.AddTo(command);
        command.Add(output);
        command.SetAction(parse =>
        {
            PpoOptions options;
            try
            {
                options = arguments.Bind(parse, new PpoOptions());
                if (parse.GetValue(output) is { } folder) options = options with { OutputFolder = folder };
                options.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            try
            {
                PpoResult? result = null;
                ConsoleTrainingProgress.Run("ppo", "tokens", observer =>
                {
                    result = PpoTraining.Run(options, [observer]);
                    return new TrainingResult(options.Iterations, result.History.Last("loss") ?? double.NaN, result.Final, result.History, result.OutputFolder);
                });
                foreach (var (name, value) in result!.Final)
                    AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{name,-28} {value:F4}")));
                if (result.OutputFolder is not null) AnsiConsole.MarkupLine($"policy written to [bold]{Markup.Escape(result.OutputFolder)}[/]");
                return 0;
            }
            catch (Exception e) when (e is CheckpointFormatException or IOException or InvalidDataException or ArgumentException or TrainingDivergedException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
