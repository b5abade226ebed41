using System.CommandLine;
using System.Globalization;
using Rlhf.Checkpoints;
using Rlhf.Study;
using Rlhf.World;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf pairs --out FILE [--policy DIR] [--data DIR] [--samples 8]</c>: comparisons of the policy's own samples, the
/// recipe step <c>rlhf data</c> cannot do (it samples a model). InstructGPT's labellers compared model outputs; this labels the
/// policy's samples on the world's preference prompts with the world's simulated annotator and writes them after the world's
/// own comparisons (<see cref="OnPolicyComparisons.WriteFile"/>), a file <c>rlhf rm --set train_file=...</c> and
/// <c>rlhf dpo --set train_file=...</c> read.</summary>
static class PairsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The pairs file to write (jsonl); its counts go beside it as <name>_metrics.json.", Required = true };
        var policy = new Option<string>("--policy") { Description = "The policy whose samples are compared (default data/checkpoints/sft).", DefaultValueFactory = _ => Path.Combine("data", "checkpoints", "sft") };
        var data = new Option<string>("--data") { Description = "The world: its preference prompts are sampled, its comparisons come first (default data/tinyworld).", DefaultValueFactory = _ => Path.Combine("data", "tinyworld") };
        var samples = new Option<int>("--samples") { Description = "Samples per prompt (seeds 1..N); every pair of them with different gold is labelled.", DefaultValueFactory = _ => 8 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the annotator's draws.", DefaultValueFactory = _ => new TinyWorldOptions().Seed };
        var annotatorTemperature = new Option<double>("--annotator-temperature") { Description = "The simulated annotator's Bradley-Terry temperature (the world's default 0.25).", DefaultValueFactory = _ => new AnnotatorOptions().Temperature };
        var command = new Command("pairs", "Compare the policy's own samples: N samples per preference prompt, labelled by the world's simulated annotator, written after the world's comparisons (for rlhf rm and rlhf dpo).")
        {
            output, policy, data, samples, temperature, seed, annotatorTemperature,
        };
        command.SetAction(parse => Run(parse.GetValue(output)!, parse.GetValue(policy)!, parse.GetValue(data)!, parse.GetValue(samples),
            parse.GetValue(temperature), parse.GetValue(seed), parse.GetValue(annotatorTemperature)));
        return command;
    }

    static int Run(string output, string policyFolder, string dataFolder, int samples, double temperature, ulong seed, double annotatorTemperature)
    {
        try
        {
            if (samples < 2) throw new ArgumentException("--samples must be at least 2: a comparison needs two samples");
            if (!(temperature > 0)) throw new ArgumentException("--temperature must be positive");
            var annotator = new AnnotatorOptions { Temperature = annotatorTemperature }.Validate();
            Torch.TorchRuntime.Init();
            var metricsFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, Path.GetFileNameWithoutExtension(output) + "_metrics.json");
            var metrics = OnPolicyComparisons.WriteFile(policyFolder, dataFolder, samples, temperature, annotator, seed, output, metricsFile);
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {output}: {metrics["world_pairs"]} pairs of the world, then {metrics["on_policy_pairs"]} of {policyFolder}'s samples " +
                $"({samples} per prompt at T = {temperature:G}; the annotator agrees with gold on {100 * metrics["on_policy_agreement"]!.GetValue<double>():F1}% of them; " +
                $"{metrics["equal_gold_left_out"]} pairs of equal gold and {metrics["empty_samples_left_out"]} empty samples left out). Counts in {metricsFile}.")));
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"rlhf pairs: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CheckpointFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rlhf pairs: {e.Message}");
            return 1;
        }
    }
}
