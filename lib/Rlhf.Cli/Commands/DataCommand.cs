using System.CommandLine;
using System.Globalization;
using Rlhf.Data;
using Rlhf.Text;
using Rlhf.Training;
using Rlhf.World;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf data</c>: regenerate TinyWorld (the shipped data/tinyworld/ with the default seed).</summary>
static class DataCommand
{
    public static Command Create()
    {
        var defaults = new TinyWorldOptions();
        var seed = new Option<ulong>("--seed") { Description = "Seed every random choice derives from.", DefaultValueFactory = _ => defaults.Seed };
        var output = new Option<string?>("--out") { Description = "Output folder (default: data/tinyworld, or data/tinyworld-zh with --lang zh)." };
        var language = new Option<string>("--lang") { Description = "Surface language: en or zh.", DefaultValueFactory = _ => "en" };
        var idealRate = new Option<double>("--ideal-demonstration-rate")
        {
            Description = "Share of SFT demonstrations written in the ideal style (the others by demonstrators of uneven care).",
            DefaultValueFactory = _ => defaults.IdealDemonstrationRate,
        };
        var world = new Option<string[]>("--world")
        {
            Description = "Any other TinyWorld option: key=value (e.g. request_page_share=0.1, as `rlhf study --world` takes it). Repeatable.",
            DefaultValueFactory = _ => [],
        };
        var samples = new Option<string?>("--samples") { Description = "Also write small samples of every dataset format (seed jsonl, ranked, HH-RLHF, chat messages, parquet) made from the world into this folder (the shipped data/samples)." };
        language.AcceptOnlyFromAmong("en", "zh");
        var command = new Command("data", "Regenerate TinyWorld: pretraining corpus, SFT data, preferences, RL and held-out prompts, and the course tokenizer trained on the corpus.")
        {
            seed, output, language, idealRate, world, samples,
        };
        command.SetAction(parse => Run(parse.GetValue(seed), parse.GetValue(output), parse.GetValue(language)!, parse.GetValue(idealRate),
            parse.GetValue(world)!, parse.GetValue(samples)));
        return command;
    }

    static int Run(ulong seed, string? output, string language, double idealRate, string[] worldAssignments, string? samples)
    {
        TinyWorldOptions options;
        try
        {
            options = OptionsBinder.Bind(new TinyWorldOptions
            {
                Seed = seed,
                IdealDemonstrationRate = idealRate,
                Language = language == "zh" ? WorldLanguage.Chinese : WorldLanguage.English,
            }, null, worldAssignments);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"rlhf data: {e.Message.Replace("--set ", "--world ")}");
            return 2;
        }
        output ??= options.Language == WorldLanguage.Chinese ? Path.Combine("data", "tinyworld-zh") : Path.Combine("data", "tinyworld");

        IReadOnlyList<WrittenFile> files;
        TinyWorld world;
        try
        {
            world = TinyWorldGenerator.Generate(options);
            files = TinyWorldWriter.Write(world, output, new BpeTrainerOptions(), OptionsChanges.Assignments(new TinyWorldOptions { Seed = options.Seed, Language = options.Language }, options));
            if (samples is not null) DataSamples.Write(output, samples);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"rlhf data: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rlhf data: {e.Message}");
            return 1;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("file").AddColumn("records", c => c.RightAligned()).AddColumn("bytes", c => c.RightAligned());
        foreach (var file in files)
            table.AddRow(Markup.Escape(file.Name), file.Records.ToString("N0", CultureInfo.InvariantCulture), file.Bytes.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {output}. Label agreement with the gold order: {100 * world.Agreement.Rate:F1}% of {world.Agreement.Pairs - world.Agreement.GoldTies:N0} training pairs with different gold scores.")));
        if (samples is not null) AnsiConsole.MarkupLine(Markup.Escape($"Wrote samples of every dataset format to {samples}: {string.Join(", ", DataSamples.Files.Select(f => f.File))}."));
        return 0;
    }
}
