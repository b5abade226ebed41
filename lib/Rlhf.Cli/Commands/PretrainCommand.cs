using System.CommandLine;
using Rlhf.Cli.Training;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf pretrain</c>: stage 0, a base model trained from scratch on the TinyWorld corpus.</summary>
static class PretrainCommand
{
    public static Command Create()
    {
        var arguments = new StageOptionsArguments($"Output folder (default {new PretrainOptions().OutputFolder}).", resumable: true);
        var command = new Command("pretrain", "Train the course GPT from scratch on data/tinyworld/corpus.jsonl (the base model).");
        arguments.AddTo(command);
        command.SetAction(parse =>
        {
            PretrainOptions options;
            try
            {
                options = arguments.Bind(parse, new PretrainOptions());
                options.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"rlhf pretrain: {e.Message}");
                return 2;
            }
            try
            {
                var result = default(PretrainResult);
                ConsoleTrainingProgress.Run("pretrain", "tokens", observer =>
                {
                    result = PretrainTraining.Run(options, [observer]);
                    return result.Training;
                });
                AnsiConsole.MarkupLine($"eval loss [bold]{result!.EvalLoss:F4}[/] (perplexity {Math.Exp(result.EvalLoss):F2}) on {result.EvalTokens:N0} held-out tokens; model in {Markup.Escape(result.OutputFolder)}");
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or TrainingDivergedException or Rlhf.Checkpoints.CheckpointFormatException or Rlhf.Data.DatasetFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rlhf pretrain: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
