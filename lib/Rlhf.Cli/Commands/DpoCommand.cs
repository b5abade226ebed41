using System.CommandLine;
using System.Globalization;
using Rlhf.Checkpoints;
using Rlhf.Cli.Training;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf dpo</c>: Direct Preference Optimization from the SFT checkpoint on TinyWorld's preference pairs,
/// through <see cref="DpoTraining.Run"/> with the options record built from --config and --set.</summary>
static class DpoCommand
{
    public static Command Create()
    {
        var stageOptions = new StageOptionsArguments();
        var output = new Option<string?>("--out") { Description = $"Output folder for the trained policy (default {new DpoOptions().OutputFolder})." };
        var resume = new Option<string?>("--resume") { Description = "A checkpoint folder (OUT/checkpoints/step-N) to continue from." };
        var command = new Command("dpo",
            "Direct Preference Optimization (sigmoid DPO, cDPO or IPO) of the SFT policy against a frozen reference. " +
            $"Options: {string.Join(", ", OptionsBinder.Names(new DpoOptions()))}.");
        stageOptions.AddTo(command);
        command.Add(output);
        command.Add(resume);
        command.SetAction(parse =>
        {
            try
            {
                var options = stageOptions.Bind(parse, new DpoOptions());
                options = options with
                {
                    OutputFolder = parse.GetValue(output) ?? options.OutputFolder,
                    ResumeFrom = parse.GetValue(resume) ?? options.ResumeFrom,
                };
                options.Validate();
                using var result = Run(options);
                var evaluation = result.Training.FinalEvaluation;
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"{result.TrainPairs:N0} training pairs, {result.EvalPairs:N0} held-out pairs, {result.TruncatedPairs} cut to fit the context.")));
                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                    $"held-out: accuracy {evaluation.GetValueOrDefault("eval/rewards/accuracies"):P1}, margin {evaluation.GetValueOrDefault("eval/rewards/margins"):F3}, loss {evaluation.GetValueOrDefault("eval/loss"):F4}")));
                AnsiConsole.MarkupLine($"Wrote {Markup.Escape(options.OutputFolder)}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or CheckpointFormatException or Rlhf.Data.DatasetFormatException or TrainingDivergedException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rlhf dpo: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    static DpoResult Run(DpoOptions options)
    {
        DpoResult? result = null;
        ConsoleTrainingProgress.Run($"DPO ({OptionsBinder.JsonName(options.Loss.ToString())}, beta {options.Beta.ToString(CultureInfo.InvariantCulture)})", "pairs",
            progress => (result = DpoTraining.Run(options, [progress])).Training);
        return result!;
    }
}
