using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf headroom --policy DIR [--reward DIR] [--samples 8]</c>: where RLHF can win before anything is trained
/// (<see cref="Headroom"/>): per task family, greedy gold, a sample's gold, the best of N by gold and by the reward model,
/// and the share of fixable prompts.</summary>
static class HeadroomCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "The policy checkpoint (default data/checkpoints/sft).", DefaultValueFactory = _ => Path.Combine("data", "checkpoints", "sft") };
        var reward = new Option<string>("--reward") { Description = "The reward model that picks the best of N (default data/checkpoints/rm; 'none' for gold only).", DefaultValueFactory = _ => Path.Combine("data", "checkpoints", "rm") };
        var samples = new Option<int>("--samples") { Description = "Samples per prompt (seeds 1..N).", DefaultValueFactory = _ => 8 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
        var prompts = new Option<string>("--prompts") { Description = "Held-out prompts file.", DefaultValueFactory = _ => Path.Combine("data", "tinyworld", "eval_prompts.txt") };
        var output = new Option<string?>("--out") { Description = "Also write headroom.json into this folder." };
        var command = new Command("headroom", "Where RLHF can win before training: per task family, greedy vs best of N samples by gold and by the reward model, and the fixable share.")
        {
            policy, reward, samples, temperature, prompts, output,
        };
        command.SetAction(parse => Run(parse.GetValue(policy)!, parse.GetValue(reward)!, parse.GetValue(samples), parse.GetValue(temperature),
            parse.GetValue(prompts)!, parse.GetValue(output)));
        return command;
    }

    static int Run(string policyFolder, string rewardFolder, int samples, double temperature, string promptsFile, string? output)
    {
        try
        {
            if (samples < 1) throw new ArgumentException("--samples must be at least 1");
            if (!(temperature > 0)) throw new ArgumentException("--temperature must be positive");
            Torch.TorchRuntime.Init();
            var tokenizer = TextTokenizer.Load(policyFolder);
            using var policy = Checkpoint.LoadGpt(policyFolder);
            using var rewardModel = rewardFolder.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : RewardModel.Load(rewardFolder);
            var evaluation = PolicyEvaluationOptions.Greedy with { PromptsFile = promptsFile };
            var rows = Headroom.Measure(policy, tokenizer, rewardModel, evaluation, samples, temperature);
            var table = new Table().Border(TableBorder.Rounded).AddColumn("kind").AddColumn("n", c => c.RightAligned()).AddColumn("greedy", c => c.RightAligned())
                .AddColumn($"T={temperature:G} sample", c => c.RightAligned()).AddColumn($"best of {samples} by gold", c => c.RightAligned())
                .AddColumn($"best of {samples} by RM", c => c.RightAligned()).AddColumn("fixable", c => c.RightAligned());
            static string F(double? v) => v is null ? "-" : v.Value.ToString("F3", CultureInfo.InvariantCulture);
            foreach (var r in rows) table.AddRow(r.Kind, r.Prompts.ToString(CultureInfo.InvariantCulture), F(r.Greedy), F(r.Sampled), F(r.BestByGold), F(r.BestByReward), F(r.Fixable));
            AnsiConsole.MarkupLine(Markup.Escape($"policy {policyFolder}, reward model {rewardFolder}, {samples} samples per prompt at T = {temperature:G} (seeds 1-{samples}), prompts {promptsFile}"));
            AnsiConsole.Write(table);
            if (output is not null)
            {
                Directory.CreateDirectory(output);
                File.WriteAllText(Path.Combine(output, "headroom.json"), JsonSerializer.Serialize(new { policy = policyFolder, reward = rewardFolder, samples, temperature, rows }, OptionsBinder.Json) + "\n");
            }
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"rlhf headroom: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CheckpointFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rlhf headroom: {e.Message}");
            return 1;
        }
    }
}
