using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Text;
using Rlhf.Training;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf best-of-n --policy DIR --reward DIR --n 4,16 [--samples 16]</c>: Best-of-N on the held-out prompts
/// (<see cref="BestOfN"/>): the gold and reward-model score of the chosen answers, and the KL, analytic and measured.</summary>
static class BestOfNCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "The policy to sample (default data/checkpoints/sft).", DefaultValueFactory = _ => Path.Combine("data", "checkpoints", "sft") };
        var reward = new Option<string>("--reward") { Description = "The reward model that picks (default data/checkpoints/rm).", DefaultValueFactory = _ => Path.Combine("data", "checkpoints", "rm") };
        var n = new Option<string>("--n") { Description = "N, or several N separated by commas (each chooses among the first N samples).", DefaultValueFactory = _ => "4" };
        var samples = new Option<int?>("--samples") { Description = "Samples per prompt (seeds 1..M), at least the largest N; the measured KL uses all of them (default 4 x the largest N)." };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1.0 };
        var prompts = new Option<string>("--prompts") { Description = "Held-out prompts file.", DefaultValueFactory = _ => Path.Combine("data", "tinyworld", "eval_prompts.txt") };
        var output = new Option<string?>("--out") { Description = "Also write best_of_n.json into this folder." };
        var command = new Command("best-of-n", "Best-of-N (rejection sampling), the no-training baseline: sample N, keep the reward model's favourite; gold, RM score and KL (analytic log N - (N-1)/N and measured).")
        {
            policy, reward, n, samples, temperature, prompts, output,
        };
        command.SetAction(parse => Run(parse.GetValue(policy)!, parse.GetValue(reward)!, parse.GetValue(n)!, parse.GetValue(samples), parse.GetValue(temperature),
            parse.GetValue(prompts)!, parse.GetValue(output)));
        return command;
    }

    static int Run(string policyFolder, string rewardFolder, string nList, int? samples, double temperature, string promptsFile, string? output)
    {
        try
        {
            var ns = nList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 1 ? v
                    : throw new ArgumentException($"--n: '{s}' is not a whole number of at least 1")).ToList();
            if (ns.Count == 0) throw new ArgumentException("--n needs at least one value");
            int m = samples ?? 4 * ns.Max();
            if (m < ns.Max()) throw new ArgumentException($"--samples ({m}) must be at least the largest N ({ns.Max()})");
            if (!(temperature > 0)) throw new ArgumentException("--temperature must be positive");
            Torch.TorchRuntime.Init();
            var tokenizer = TextTokenizer.Load(policyFolder);
            using var model = Checkpoint.LoadGpt(policyFolder);
            using var rewardModel = RewardModel.Load(rewardFolder);
            var evaluation = PolicyEvaluationOptions.Greedy with { PromptsFile = promptsFile };
            var results = BestOfN.MeasureMany(model, tokenizer, rewardModel, evaluation, ns, m, temperature);
            var table = new Table().Border(TableBorder.Rounded).AddColumn("N").AddColumn("gold", c => c.RightAligned()).AddColumn("RM score", c => c.RightAligned())
                .AddColumn("KL analytic", c => c.RightAligned()).AddColumn("KL measured", c => c.RightAligned());
            foreach (var r in results)
                table.AddRow(r.N.ToString(CultureInfo.InvariantCulture), r.Gold.ToString(), r.RewardScore.ToString(),
                    r.AnalyticKl.ToString("F3", CultureInfo.InvariantCulture), r.MeasuredKl.ToString("F3", CultureInfo.InvariantCulture));
            AnsiConsole.MarkupLine(Markup.Escape($"policy {policyFolder}, reward model {rewardFolder}, {m} samples per prompt at T = {temperature:G}, prompts {promptsFile}"));
            AnsiConsole.Write(table);
            if (output is not null)
            {
                Directory.CreateDirectory(output);
                var rows = results.Select(r => new { n = r.N, gold = r.Gold, reward_score = r.RewardScore, kl_analytic = r.AnalyticKl, kl_measured = r.MeasuredKl });
                File.WriteAllText(Path.Combine(output, "best_of_n.json"),
                    JsonSerializer.Serialize(new { policy = policyFolder, reward = rewardFolder, samples = m, temperature, rows }, OptionsBinder.Json) + "\n");
            }
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"rlhf best-of-n: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or CheckpointFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rlhf best-of-n: {e.Message}");
            return 1;
        }
    }
}
