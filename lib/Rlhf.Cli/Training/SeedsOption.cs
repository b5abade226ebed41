using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rlhf.Evaluation;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Training;

/// <summary><c>--seeds 1234,7,11</c> for the training verbs whose result is a held-out figure (<c>ppo</c>, <c>dpo</c>, <c>rm</c>):
/// train and evaluate once per seed, each run in <c>OUT/seed-S</c>, then print how far the figures move between seeds and
/// write <c>OUT/seeds.json</c>.</summary>
sealed class SeedsOption(string seedOptionName)
{
    /// <summary>The file the sweep's figures are written to, in the output folder.</summary>
    public const string SummaryFile = "seeds.json";

    readonly Option<string?> seeds = new("--seeds")
    {
        Description = $"Comma-separated seeds (e.g. 1234,7,11): train once per seed (setting {seedOptionName}) into OUT/seed-S, " +
                      $"evaluate each on the held-out data, and write the spread between seeds to OUT/{SummaryFile}.",
    };

    /// <summary>Adds the option to <paramref name="command"/>.</summary>
    public void AddTo(Command command) => command.Add(seeds);

    /// <summary>The seeds given, in order; null when <c>--seeds</c> was not given. A bad list is an
    /// <see cref="ArgumentException"/> naming <c>--seeds</c> and the bad entry.</summary>
    public IReadOnlyList<long>? Parse(ParseResult parse)
    {
        if (parse.GetValue(seeds) is not { } text) return null;
        var entries = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new List<long>();
        foreach (var entry in entries)
        {
            if (!long.TryParse(entry, NumberStyles.Integer, CultureInfo.InvariantCulture, out long seed))
                throw new ArgumentException($"--seeds: '{entry}' is not an integer seed (expected a comma-separated list such as 1234,7,11)");
            if (values.Contains(seed)) throw new ArgumentException($"--seeds: seed {seed} is listed twice");
            values.Add(seed);
        }
        return values;
    }

    /// <summary>Where the run with <paramref name="seed"/> writes its policy.</summary>
    public static string SeedFolder(string outputFolder, long seed) => Path.Combine(outputFolder, string.Create(CultureInfo.InvariantCulture, $"seed-{seed}"));

    /// <summary>Prints the sweep's table and summary lines and writes <see cref="SummaryFile"/> to <paramref name="outputFolder"/>.</summary>
    public static void Report(SeedSweep sweep, string outputFolder, string policyName)
    {
        AnsiConsole.WriteLine(sweep.ToTable($"{policyName} against SFT on the held-out prompts, one run per seed").ToString());
        int count = sweep.Runs.Count;
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{policyName}: gold mean above SFT's for {sweep.SeedsAboveStart} of {count} seeds; win rate above 55% for {sweep.SeedsWithWinRateAbove(0.55)} of {count}")));
        WriteSummary(outputFolder, new
        {
            runs = sweep.Runs,
            gold_mean = sweep.GoldMean,
            win_rate = sweep.WinRate,
            kl_to_start = sweep.KlToStart,
            seeds_above_start = sweep.SeedsAboveStart,
            seeds_with_win_rate_above_55_percent = sweep.SeedsWithWinRateAbove(0.55),
        });
    }

    /// <summary>Writes <paramref name="summary"/> (snake_case JSON) to <see cref="SummaryFile"/> in <paramref name="outputFolder"/>.</summary>
    public static void WriteSummary(string outputFolder, object summary)
    {
        Directory.CreateDirectory(outputFolder);
        var path = Path.Combine(outputFolder, SummaryFile);
        File.WriteAllText(path, JsonSerializer.Serialize(summary, OptionsBinder.Json));
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(path)}[/]");
    }
}
