using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Cli.Training;
using Rlhf.Evaluation;
using Rlhf.Text;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf grpo</c> and <c>rlhf rloo</c> <c>[--config file] [--set beta=0.04] [--out DIR] [--resume ...] [--evaluate]
/// [--seeds 31,32,33]</c>: critic-free RL from the SFT policy through <see cref="CriticFreeTraining.Run"/> (the call
/// notebook 08 makes), with the reward model, the verifiable checkers or both (<c>--set reward_funcs=verifiable</c>).</summary>
static class CriticFreeCommand
{
    public static Command Grpo() => Create(new GrpoOptions(), "grpo",
        "GRPO (Shao et al. 2024): G samples per prompt, advantages relative to the group, no critic; reward from the reward model and/or verifiable checks.");

    public static Command Rloo() => Create(new RlooOptions(), "rloo",
        "RLOO (Ahmadian et al. 2024): k samples per prompt, each one's baseline the mean reward of the others, KL to the reference in the reward.");

    static Command Create<T>(T defaults, string name, string description) where T : CriticFreeOptions
    {
        var arguments = new StageOptionsArguments($"Output folder for the policy checkpoint and history.json (default {defaults.OutputFolder}).", resumable: true);
        var evaluate = new Option<bool>("--evaluate")
        { Description = "After training, compare the policy with the SFT policy on the held-out prompts (gold greedy and at T = 1, gold win rate, KL) and write comparison.json." };
        var seeds = new SeedsOption("training.seed");
        var command = new Command(name, description);
        arguments.AddTo(command);
        command.Add(evaluate);
        seeds.AddTo(command);
        command.SetAction(parse =>
        {
            T options;
            IReadOnlyList<long>? seedList;
            try
            {
                options = arguments.Bind(parse, defaults);
                options.Validated();
                seedList = seeds.Parse(parse);
                if (seedList is not null && options.OutputFolder is null) throw new ArgumentException("--seeds needs an output folder (each seed's policy goes to OUT/seed-S)");
                if (seedList is not null && options.ResumeFrom is not null) throw new ArgumentException("--seeds starts every run from the beginning; it cannot be combined with --resume");
                if (parse.GetValue(evaluate) && options.OutputFolder is null) throw new ArgumentException("--evaluate needs an output folder (the trained policy is read from it)");
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
                        var (comparison, _) = Evaluate(run, sft);
                        sft = comparison.Reference;
                        runs.Add(new SeedRun(seed, comparison.Policy.Metrics.GoldScore.Mean, comparison.Reference.Metrics.GoldScore.Mean,
                            comparison.GoldWinRate, comparison.KlToReference.Mean));
                    }
                    SeedsOption.Report(new SeedSweep(runs), options.OutputFolder!, name);
                    return 0;
                }
                Train(options);
                if (parse.GetValue(evaluate)) Evaluate(options);
                return 0;
            }
            catch (Exception e) when (e is CheckpointFormatException or IOException or InvalidDataException or ArgumentException or InvalidOperationException
                                          or TrainingDivergedException or Rlhf.Data.DatasetFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rlhf {name}: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    static void Train(CriticFreeOptions options)
    {
        CriticFreeResult? result = null;
        AnsiConsole.MarkupLine(Markup.Escape($"{options.StageName}: {options.PromptsPerStep} prompts x {options.NumGenerations} completions per step, " +
            $"{options.Training.MaxSteps} steps, reward {string.Join(" + ", options.RewardFuncs)}, beta {options.Beta.ToString(CultureInfo.InvariantCulture)}"));
        ConsoleTrainingProgress.Run(options.StageName, "tokens", observer =>
        {
            result = CriticFreeTraining.Run(options, [observer]);
            return new TrainingResult(options.Training.MaxSteps, result.History.Last("loss") ?? double.NaN, result.Final, result.History, result.OutputFolder);
        });
        foreach (var (metric, value) in result!.Final)
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{metric,-36} {value:F4}")));
        if (result.OutputFolder is not null) AnsiConsole.MarkupLine($"policy written to [bold]{Markup.Escape(result.OutputFolder)}[/]");
    }

    /// <summary>The policy against SFT on the held-out prompts: greedy gold, win rate and KL (<see cref="PpoComparison"/>), and
    /// gold at T = 1 for both; printed and written to comparison.json.</summary>
    static (PpoComparison Greedy, (Estimate Sft, Estimate Policy) TemperatureOne) Evaluate(CriticFreeOptions options, PolicyEvaluation? sft = null)
    {
        var tokenizer = TextTokenizer.Load(options.InputCheckpoint);
        using var policy = Checkpoint.LoadGpt(options.OutputFolder!);
        using var reference = Checkpoint.LoadGpt(options.InputCheckpoint);
        string prompts = Path.Combine(options.DataFolder, "eval_prompts.txt");
        var greedy = PolicyEvaluationOptions.Greedy with { PromptsFile = prompts };
        var comparison = PpoComparison.Measure(policy, reference, tokenizer, greedy, options.Temperature, options.MaxCompletionLength, options.Training.Seed, sft,
            options.StageName);
        var sampling = new PolicyEvaluator(tokenizer, PolicyEvaluationOptions.TemperatureOne with { PromptsFile = prompts });
        var heldOut = sampling.LoadPrompts();
        var t1 = (Sft: sampling.Evaluate("sft", reference, heldOut).Metrics.GoldScore, Policy: sampling.Evaluate(options.StageName, policy, heldOut).Metrics.GoldScore);
        var summary = new Dictionary<string, object>
        {
            ["sft_gold_mean"] = comparison.Reference.Metrics.GoldScore.Mean,
            ["sft_gold_standard_error"] = comparison.Reference.Metrics.GoldScore.StandardError,
            [$"{options.StageName}_gold_mean"] = comparison.Policy.Metrics.GoldScore.Mean,
            [$"{options.StageName}_gold_standard_error"] = comparison.Policy.Metrics.GoldScore.StandardError,
            ["sft_t1_gold_mean"] = t1.Sft.Mean,
            ["sft_t1_gold_standard_error"] = t1.Sft.StandardError,
            [$"{options.StageName}_t1_gold_mean"] = t1.Policy.Mean,
            [$"{options.StageName}_t1_gold_standard_error"] = t1.Policy.StandardError,
            ["gold_win_rate"] = comparison.GoldWinRate,
            ["kl_to_reference_mean"] = comparison.KlToReference.Mean,
            ["kl_to_reference_standard_error"] = comparison.KlToReference.StandardError,
            ["sft"] = comparison.Reference.Metrics.ToDictionary(),
            [options.StageName] = comparison.Policy.Metrics.ToDictionary(),
        };
        File.WriteAllText(Path.Combine(options.OutputFolder!, "comparison.json"), JsonSerializer.Serialize(summary, OptionsBinder.Json));
        foreach (var (metric, value) in summary.Where(s => s.Value is double))
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{metric,-36} {(double)value:F4}")));
        AnsiConsole.WriteLine(WinsByKind.Table(comparison.Policy, comparison.Reference).ToString());
        return (comparison, t1);
    }
}
