using System.CommandLine;
using System.Globalization;
using Rlhf.Benchmarks;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf bench [--json] [--config tiny|small]</c>: the speed figures of docs/benchmarks.md (issue 10), through
/// <see cref="Benchmark.Run"/>.</summary>
static class BenchCommand
{
    public static Command Create()
    {
        var defaults = new BenchmarkOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object (progress goes to stderr)." };
        var config = new Option<string?>("--config")
        {
            Description = $"Measure one shape only: {string.Join(", ", BenchmarkShape.Presets.Keys)} (smoke is a toy for checking the command). Default: tiny and small.",
        };
        var runs = new Option<int>("--runs") { Description = "Timed runs per measurement (the median is reported).", DefaultValueFactory = _ => defaults.TimedRuns };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before each measurement.", DefaultValueFactory = _ => defaults.WarmupRuns };
        var matmulSize = new Option<int>("--matmul-size") { Description = "n of the n x n x n float32 matmul peak.", DefaultValueFactory = _ => defaults.MatmulSize };
        var leakSteps = new Option<int>("--leak-steps") { Description = "Training steps between the two live-tensor counts.", DefaultValueFactory = _ => defaults.LeakSteps };
        var noPpo = new Option<bool>("--no-ppo") { Description = "Skip the PPO iteration (it needs data/checkpoints/sft and data/checkpoints/rm)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads torch may use (default: torch's choice, one per core)." };
        var markdown = new Option<bool>("--markdown") { Description = "Print docs/benchmarks.md's tables: our figures next to issue 10's PyTorch reference, with ratios." };
        var from = new Option<string?>("--from") { Description = "Read a report saved with --json (e.g. docs/benchmarks.json) instead of measuring." };
        var command = new Command("bench",
            "Measure matmul GFLOP/s, training tokens/s and MFU, generation tokens/s (KV cache and none), DPO pairs/s, one PPO iteration, memory and live tensors.")
        {
            json, markdown, from, config, runs, warmup, matmulSize, leakSteps, noPpo, threads,
        };
        command.SetAction(parse =>
        {
            BenchmarkOptions options;
            try
            {
                var name = parse.GetValue(config);
                IReadOnlyList<BenchmarkShape> shapes = name is null ? defaults.Shapes
                    : BenchmarkShape.Presets.TryGetValue(name.Trim().ToLowerInvariant(), out var shape) ? [shape]
                    : throw new ArgumentException($"--config '{name}' is not a benchmark shape: use {string.Join(", ", BenchmarkShape.Presets.Keys)}.");
                options = (defaults with
                {
                    Shapes = shapes, TimedRuns = parse.GetValue(runs), WarmupRuns = parse.GetValue(warmup), MatmulSize = parse.GetValue(matmulSize),
                    LeakSteps = parse.GetValue(leakSteps), Ppo = parse.GetValue(noPpo) ? null : defaults.Ppo, Threads = parse.GetValue(threads),
                }).Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            bool asJson = parse.GetValue(json), asMarkdown = parse.GetValue(markdown);
            BenchmarkReport report;
            try
            {
                report = parse.GetValue(from) is string saved
                    ? BenchmarkReport.FromJson(File.ReadAllText(saved), saved)
                    : Benchmark.Run(options, step => (asJson || asMarkdown ? Console.Error : Console.Out).WriteLine($"bench: {step}"));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or Checkpoints.CheckpointFormatException or Rlhf.Data.DatasetFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            if (asJson) Console.WriteLine(report.ToJson());
            else if (asMarkdown) Console.Write(ReferenceFigures.Markdown(report));
            else Print(report);
            return 0;
        });
        return command;
    }

    static void Print(BenchmarkReport report)
    {
        static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        var machine = report.Machine;
        AnsiConsole.MarkupLine(Markup.Escape($"{machine.Cpu}, {machine.LogicalCores} cores, torch {machine.TorchThreads} threads ({machine.TorchInteropThreads} inter-op), libtorch {machine.LibTorch}"));
        AnsiConsole.MarkupLine(Markup.Escape($"MKL vendor patch: {machine.MklVendorPatch}"));
        var table = new Table().Border(TableBorder.Rounded).AddColumn("config").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("-", Markup.Escape($"fp32 matmul {report.MatmulSize}^3 GFLOP/s"), F(report.MatmulGflops, "N1"));
        foreach (var s in report.Shapes)
        {
            table.AddRow(s.Name, "train tokens/s (MFU)", $"{F(s.TrainTokensPerSecond, "N0")} ({F(s.ModelFlopsUtilisation, "F2")})");
            table.AddRow(s.Name, "KV-cache generation, new tokens/s", F(s.GenerationKvTokensPerSecond, "N0"));
            if (s.GenerationNoCacheTokensPerSecond is double noCache) table.AddRow(s.Name, "no-cache generation, new tokens/s", F(noCache, "N0"));
            table.AddRow(s.Name, "DPO pairs/s", F(s.DpoPairsPerSecond, "N2"));
        }
        if (report.Ppo is { } ppo)
            table.AddRow("course", "PPO iteration s (generation / scoring / update)",
                $"{F(ppo.TotalSeconds, "F2")} ({F(ppo.GenerationSeconds, "F2")} / {F(ppo.ScoringSeconds, "F2")} / {F(ppo.UpdateSeconds, "F2")})");
        table.AddRow("-", Markup.Escape($"live tensors before / after {report.LiveTensors.Steps:N0} steps"), $"{report.LiveTensors.Before} / {report.LiveTensors.After}");
        table.AddRow("-", "peak memory MiB", F(report.PeakMemoryMegabytes, "N0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape($"medians of {report.TimedRuns} timed runs after {report.WarmupRuns} warm-up runs"));
    }
}
