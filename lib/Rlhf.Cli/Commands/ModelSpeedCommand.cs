using Rlhf.Benchmarks;
using System.CommandLine;
using Rlhf.Models;
using Rlhf.Torch;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf model-speed</c>: how long one training step of a GPT of a given shape takes here.</summary>
static class ModelSpeedCommand
{
    public static Command Create()
    {
        var course = GptConfig.CourseDefault;
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => course.Layers };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => course.Heads };
        var width = new Option<int>("--width") { Description = "Embedding size (C).", DefaultValueFactory = _ => course.EmbeddingSize };
        var context = new Option<int>("--context") { Description = "Context length; also the measured sequence length.", DefaultValueFactory = _ => course.ContextLength };
        var vocabulary = new Option<int>("--vocab") { Description = "Vocabulary size.", DefaultValueFactory = _ => course.VocabularySize };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (after one warm-up step).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int?>("--threads") { Description = "CPU threads torch may use (default: torch's choice, one per core)." };
        var command = new Command("model-speed",
            "Time forward + backward + AdamW on random tokens for a GPT shape (default: the course default) and print parameters and tokens/s.")
        {
            layers, heads, width, context, vocabulary, batch, steps, threads,
        };
        command.SetAction(parse =>
        {
            var config = course with
            {
                Layers = parse.GetValue(layers), Heads = parse.GetValue(heads), EmbeddingSize = parse.GetValue(width),
                ContextLength = parse.GetValue(context), VocabularySize = parse.GetValue(vocabulary),
            };
            if (parse.GetValue(threads) is int count)
            {
                TorchRuntime.Init();
                TorchSharp.torch.set_num_threads(count);
            }
            return Run(config, parse.GetValue(batch), parse.GetValue(steps));
        });
        return command;
    }

    static int Run(GptConfig config, int batch, int steps)
    {
        ModelSpeedReport report;
        try
        {
            report = ModelSpeed.MeasureTrainingStep(config, batch, config.ContextLength, steps);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("measure").AddColumn("value");
        table.AddRow("shape", Markup.Escape($"{config.Layers} layers, {config.Heads} heads, width {config.EmbeddingSize}, context {config.ContextLength}, vocab {config.VocabularySize}"));
        table.AddRow("parameters", $"{report.ParameterCount:N0}");
        table.AddRow("device", Markup.Escape(report.Device));
        table.AddRow("step (B x T)", $"{report.BatchSize} x {report.SequenceLength}");
        table.AddRow("ms per step (median)", $"{report.MillisecondsPerStep:F0}");
        table.AddRow("tokens/s", $"{report.TokensPerSecond:F0}");
        AnsiConsole.Write(table);
        return 0;
    }
}
