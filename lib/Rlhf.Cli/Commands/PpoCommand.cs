using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Text;
using Rlhf.Cli.Training;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf ppo [--config file] [--set kl_coef=0.1] [--out DIR] [--resume OUT/checkpoints/step-NNNNNN] [--evaluate] [--seeds 1234,7,11]</c>: PPO from the
/// SFT policy against the reward model, through <see cref="PpoTraining.Run"/> (the call notebook 04 makes).</summary>
static class PpoCommand
{
    public static Command Create()
    {
        var arguments = new StageOptionsArguments($"Output folder for the policy checkpoint and history.json (default {new PpoOptions().OutputFolder}).", resumable: true);
        var evaluate = new Option<bool>("--evaluate") { Description = "After training, compare the PPO policy with the SFT policy on the held-out prompts (gold score, gold win rate, KL to the reference) and write comparison.json." };
        var seeds = new SeedsOption("seed");
        var command = new Command("ppo", "RLHF with PPO: policy from the SFT checkpoint, frozen reference, frozen reward model, critic from the reward model.");
        arguments.AddTo(command);
        command.Add(evaluate);
        seeds.AddTo(command);
        command.SetAction(parse =>
        {
            PpoOptions options;
            IReadOnlyList<long>? seedList;
            try
            {
                options = arguments.Bind(parse, new PpoOptions());
                options.Validate();
                seedList = seeds.Parse(parse);
                if (seedList is not null && options.OutputFolder is null) throw new ArgumentException("--seeds needs an output folder (each seed's policy goes to OUT/seed-S)");
                if (seedList is not null && options.ResumeFrom is not null) throw new ArgumentException("--seeds starts every run from the beginning; it cannot be combined with --resume");
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            try
            {
                if (seedList is not null)
                {
                    var runs = new List<SeedRun>();
                    PolicyEvaluation? sft = null;
                    foreach (long seed in seedList)
                    {
                        var run = options with { Training = options.Training with { Seed = seed }, OutputFolder = SeedsOption.SeedFolder(options.OutputFolder!, seed) };
                        AnsiConsole.MarkupLine($"[bold]seed {seed}[/]");
                        Train(run);
                        var comparison = Evaluate(run, sft);
                        sft = comparison.Reference;
                        runs.Add(new SeedRun(seed, comparison.Policy.Metrics.GoldScore.Mean, comparison.Reference.Metrics.GoldScore.Mean,
                            comparison.GoldWinRate, comparison.KlToReference.Mean));
                    }
                    SeedsOption.Report(new SeedSweep(runs), options.OutputFolder!, "ppo");
                    return 0;
                }
                Train(options);
                if (parse.GetValue(evaluate)) Evaluate(options);
                return 0;
            }
            catch (Exception e) when (e is CheckpointFormatException or IOException or InvalidDataException or ArgumentException or TrainingDivergedException or Rlhf.Data.DatasetFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rlhf ppo: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    static void Train(PpoOptions options)
    {
        PpoResult? result = null;
        AnsiConsole.MarkupLine($"objective: [bold]{Markup.Escape(options.ObjectiveName)}[/]{(options.Ptx.Coef > 0 ? " (--set ptx.coef=0 for plain PPO)" : "")}");
        ConsoleTrainingProgress.Run("ppo", "tokens", observer =>
        {
            result = PpoTraining.Run(options, [observer]);
            return new TrainingResult(options.Iterations, result.History.Last("loss") ?? double.NaN, result.Final, result.History, result.OutputFolder);
        });
        foreach (var (name, value) in result!.Final)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{name,-28} {value:F4}")));
        if (result.OutputFolder is not null) AnsiConsole.MarkupLine($"policy written to [bold]{Markup.Escape(result.OutputFolder)}[/]");
    }

    /// <summary>PPO policy against SFT on the held-out prompts (gold, win rate, KL); printed and written to comparison.json.
    /// <paramref name="sft"/>: SFT's evaluation from an earlier seed of a sweep, reused instead of evaluated again.</summary>
    static PpoComparison Evaluate(PpoOptions options, PolicyEvaluation? sft = null)
    {
        if (options.OutputFolder is null) throw new ArgumentException("--evaluate needs an output folder (the trained policy is read from it).");
        var tokenizer = TextTokenizer.Load(options.InputCheckpoint);
        using var policy = Checkpoint.LoadGpt(options.OutputFolder);
        using var reference = Checkpoint.LoadGpt(options.InputCheckpoint);
        var evaluation = PolicyEvaluationOptions.Greedy with { PromptsFile = Path.Combine(options.DataFolder, "eval_prompts.txt") };
        var comparison = PpoComparison.Measure(policy, reference, tokenizer, evaluation, options.Temperature, options.ResponseLength, options.Seed, sft);
        var summary = new Dictionary<string, object>
        {
            ["sft_gold_mean"] = comparison.Reference.Metrics.GoldScore.Mean,
            ["sft_gold_standard_error"] = comparison.Reference.Metrics.GoldScore.StandardError,
            ["ppo_gold_mean"] = comparison.Policy.Metrics.GoldScore.Mean,
            ["ppo_gold_standard_error"] = comparison.Policy.Metrics.GoldScore.StandardError,
            ["gold_win_rate"] = comparison.GoldWinRate,
            ["kl_to_reference_mean"] = comparison.KlToReference.Mean,
            ["kl_to_reference_standard_error"] = comparison.KlToReference.StandardError,
            ["sft"] = comparison.Reference.Metrics.ToDictionary(),
            ["ppo"] = comparison.Policy.Metrics.ToDictionary(),
        };
        File.WriteAllText(Path.Combine(options.OutputFolder, "comparison.json"), JsonSerializer.Serialize(summary, OptionsBinder.Json));
        foreach (var (name, value) in summary.Where(s => s.Value is double))
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {(double)value:F4}")));
        AnsiConsole.WriteLine(WinsByKind.Table(comparison.Policy, comparison.Reference).ToString());
        return comparison;
    }
}
