using System.CommandLine;
using System.Globalization;
using Rlhf.Checkpoints;
using Rlhf.Cli.Training;
using Rlhf.Evaluation;
using Rlhf.Plots;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary>
/// <c>rlhf rm</c>: stage 2, the reward model. Binds <see cref="RewardModelOptions"/> from its defaults, <c>--config</c> and
/// <c>--set</c>, calls <see cref="RewardModelTraining.Run"/> (the same call notebook 03 makes) and prints the held-out table;
/// <c>--seeds</c> does that once per seed and prints the spread.
/// </summary>
static class RewardModelCommand
{
    public static Command Create()
    {
        var arguments = new StageOptionsArguments($"Output folder for the reward checkpoint (default {new RewardModelOptions().OutputFolder}).", resumable: false);
        var resume = new Option<string?>("--resume") { Description = "Continue from a trainer checkpoint folder (OUT/checkpoints/step-NNNNNN)." };
        var seeds = new SeedsOption("training.seed");
        var command = new Command("rm", "Stage 2: train the reward model on pairwise preferences (Bradley-Terry), then normalise it on SFT samples.");
        arguments.AddTo(command);
        command.Add(resume);
        seeds.AddTo(command);
        command.SetAction(parse =>
        {
            RewardModelOptions options;
            IReadOnlyList<long>? seedList;
            try
            {
                options = arguments.Bind(parse, new RewardModelOptions());
                options.Validate();
                seedList = seeds.Parse(parse);
                if (seedList is not null && parse.GetValue(resume) is not null) throw new ArgumentException("--seeds starts every run from the beginning; it cannot be combined with --resume");
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
                    var results = new List<(long Seed, PreferenceEvaluation HeldOut)>();
                    foreach (long seed in seedList)
                    {
                        AnsiConsole.MarkupLine($"[bold]seed {seed}[/]");
                        var run = Train(options with { Training = options.Training with { Seed = seed }, OutputFolder = SeedsOption.SeedFolder(options.OutputFolder, seed) }, null);
                        results.Add((seed, run.HeldOut));
                    }
                    ReportSeeds(results, options.OutputFolder);
                    return 0;
                }
                Train(options, parse.GetValue(resume));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or CheckpointFormatException
                                          or Rlhf.Data.DatasetFormatException or TrainingDivergedException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rlhf rm: {e.Message}"); // unwrapped: a path must stay one piece
                return 1;
            }
        });
        return command;
    }

    static RewardModelResult Train(RewardModelOptions options, string? resumeFrom)
    {
        RewardModelResult? result = null;
        ConsoleTrainingProgress.Run("reward model", "pairs", observer =>
        {
            result = RewardModelTraining.Run(options, [observer], resumeFrom);
            return result.Training;
        });
        Print(result!);
        return result!;
    }

    /// <summary>One row per seed (held-out accuracy against gold and labels), then their mean, s.d., min and max; the same
    /// in seeds.json. The default recipe's held-out accuracy against gold moves by up to six points with the seed alone
    /// (docs/results/03-reward-model.md).</summary>
    static void ReportSeeds(IReadOnlyList<(long Seed, PreferenceEvaluation HeldOut)> results, string outputFolder)
    {
        var gold = SeedSpread.Of(results.Select(r => r.HeldOut.GoldAccuracy).ToList());
        var labels = SeedSpread.Of(results.Select(r => r.HeldOut.Accuracy).ToList());
        var rows = results.Select(r => (IReadOnlyList<object?>)[r.Seed.ToString(CultureInfo.InvariantCulture), r.HeldOut.GoldAccuracy, r.HeldOut.Accuracy]).ToList();
        rows.AddRange(SeedSpread.SummaryRows([gold, labels]));
        AnsiConsole.WriteLine(new HtmlTable("reward model on the held-out pairs, one run per seed", ["seed", "accuracy vs gold", "accuracy vs labels"], rows).ToString());
        SeedsOption.WriteSummary(outputFolder, new
        {
            runs = results.Select(r => new { seed = r.Seed, accuracy_vs_gold = r.HeldOut.GoldAccuracy, accuracy_vs_labels = r.HeldOut.Accuracy, mean_margin = r.HeldOut.MeanMargin }),
            accuracy_vs_gold = gold,
            accuracy_vs_labels = labels,
        });
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
        DataWarnings.IdenticalPairs(result.TrainingData);
        AnsiConsole.MarkupLine($"reward checkpoint: {Markup.Escape(result.OutputFolder)}");
    }
}
