using System.CommandLine;
using System.Globalization;
using Rlhf.Checkpoints;
using Rlhf.Cli.Training;
using Rlhf.Evaluation;
using Rlhf.Text;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf dpo</c>: Direct Preference Optimization from the SFT checkpoint on TinyWorld's preference pairs,
/// through <see cref="DpoTraining.Run"/> with the options record built from --config and --set.</summary>
static class DpoCommand
{
    public static Command Create()
    {
        var stageOptions = new StageOptionsArguments($"Output folder for the trained policy (default {new DpoOptions().OutputFolder}).", resumable: true);
        var compare = new Option<bool>("--compare")
        {
            Description = "After training, let the starting checkpoint and the trained policy answer every held-out prompt (greedy) and print the gold judge's metrics side by side, and DPO's gold win rate against the start.",
        };
        var seeds = new SeedsOption("training.seed");
        var command = new Command("dpo",
            "Direct Preference Optimization (sigmoid DPO, cDPO, rDPO, IPO or the reference-free SimPO) of the SFT policy against a frozen reference. " +
            $"Options: {string.Join(", ", OptionsBinder.Names(new DpoOptions()))}.");
        stageOptions.AddTo(command);
        command.Add(compare);
        seeds.AddTo(command);
        command.SetAction(parse =>
        {
            DpoOptions options;
            IReadOnlyList<long>? seedList;
            try
            {
                options = stageOptions.Bind(parse, new DpoOptions());
                options.Validate();
                seedList = seeds.Parse(parse);
                if (seedList is not null && options.ResumeFrom is not null) throw new ArgumentException("--seeds starts every run from the beginning; it cannot be combined with --resume");
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2; // bad options: a usage error, as every training verb reports it
            }
            try
            {
                if (seedList is not null)
                {
                    var start = EvaluateStart(options);
                    var runs = new List<SeedRun>();
                    foreach (long seed in seedList)
                    {
                        var run = options with { Training = options.Training with { Seed = seed }, OutputFolder = SeedsOption.SeedFolder(options.OutputFolder, seed) };
                        AnsiConsole.MarkupLine($"[bold]seed {seed}[/]");
                        using var result = TrainAndReport(run);
                        runs.Add(Compare(run, result, start));
                    }
                    SeedsOption.Report(new SeedSweep(runs), options.OutputFolder, "dpo");
                    return 0;
                }
                using (var result = TrainAndReport(options))
                    if (parse.GetValue(compare)) Compare(options, result, EvaluateStart(options));
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

    static DpoResult TrainAndReport(DpoOptions options)
    {
        AnsiConsole.MarkupLine($"objective: [bold]{Markup.Escape(options.ObjectiveName)}[/]{(options.SftWeight > 0 ? " (--set sft_weight=0 for the paper's DPO)" : "")}");
        var result = Run(options);
        var evaluation = result.Training.FinalEvaluation;
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{result.TrainPairs:N0} training pairs, {result.EvalPairs:N0} held-out pairs, {result.TruncatedPairs} cut to fit the context.")));
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"held-out: accuracy {evaluation.GetValueOrDefault("eval/rewards/accuracies"):P1}, margin {evaluation.GetValueOrDefault("eval/rewards/margins"):F3}, loss {evaluation.GetValueOrDefault("eval/loss"):F4}")));
        if (result.TrainingData is { } data) DataWarnings.IdenticalPairs(data);
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(options.OutputFolder)}");
        return result;
    }

    static PolicyEvaluator Evaluator(DpoOptions options) => new(TextTokenizer.Load(options.InputCheckpoint),
        PolicyEvaluationOptions.Greedy with { PromptsFile = Path.Combine(options.DataFolder, "eval_prompts.txt") });

    /// <summary>The starting checkpoint's answers to every held-out prompt (greedy, so the same for every seed).</summary>
    static PolicyEvaluation EvaluateStart(DpoOptions options)
    {
        using var start = DpoTraining.LoadPolicy(options.InputCheckpoint);
        return Evaluator(options).Evaluate("start", start);
    }

    /// <summary>Gold judge on every held-out prompt: the starting checkpoint against the trained policy, printed side by
    /// side; returns the run's figures for a seed sweep.</summary>
    static SeedRun Compare(DpoOptions options, DpoResult result, PolicyEvaluation before)
    {
        var after = Evaluator(options).Evaluate("dpo", result.Policy);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("metric").AddColumn("start", c => c.RightAligned()).AddColumn("dpo", c => c.RightAligned());
        foreach (var ((label, a), (_, b)) in before.Metrics.TableRows().Zip(after.Metrics.TableRows()))
            table.AddRow(Markup.Escape(label), Format(a), Format(b));
        table.Caption(Markup.Escape($"gold judge, {after.Metrics.Prompts} held-out prompts, {after.Sampling}"));
        AnsiConsole.Write(table);
        double winRate = Statistics.WinRate(after.Samples.Select(s => s.GoldScore).ToList(), before.Samples.Select(s => s.GoldScore).ToList());
        var kinds = WinsByKind.Count(after, before);
        int wins = kinds.Sum(k => k.Wins), losses = kinds.Sum(k => k.Losses);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"gold win rate of dpo against start: {winRate:P1} ({wins} wins, {losses} losses, {after.Samples.Count - wins - losses} ties counted half)")));
        AnsiConsole.WriteLine(WinsByKind.Table(kinds, after.Policy, before.Policy).ToString());
        return new SeedRun(options.Training.Seed, after.Metrics.GoldScore.Mean, before.Metrics.GoldScore.Mean, winRate);
    }

    static string Format(object? value) => value switch
    {
        null => "-",
        double d => d.ToString("F3", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    static DpoResult Run(DpoOptions options)
    {
        DpoResult? result = null;
        ConsoleTrainingProgress.Run($"DPO ({OptionsBinder.JsonName(options.Loss.ToString())}, beta {options.Beta.ToString(CultureInfo.InvariantCulture)})", "pairs",
            progress => (result = DpoTraining.Run(options, [progress])).Training);
        return result!;
    }
}
