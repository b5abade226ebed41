using System.CommandLine;
using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Spectre.Console;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf eval [--json] [--policy name=folder ...]</c>: the course's evaluation of base, SFT, PPO and DPO
/// (<see cref="PolicySetEvaluation.Run"/>, the call notebook 06 makes), as a table or as JSON.</summary>
static class EvalCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the evaluation as JSON (stable snake_case keys) instead of tables." };
        var policies = new Option<string[]>("--policy")
        {
            Description = "name=folder: evaluate this checkpoint under this name (replaces a default of the same name, or adds one). " +
                          $"Defaults: base={CoursePolicies.BaseFolder} sft={CoursePolicies.SftFolder} ppo={CoursePolicies.PpoFolder} dpo={CoursePolicies.DpoFolder}.",
            AllowMultipleArgumentsPerToken = false,
        };
        var perKind = new Option<int>("--prompts-per-kind") { Description = "Evaluate only the first N held-out prompts of each task kind (0 = all 172, the default)." };
        var frontier = new Option<bool>("--frontier") { Description = "Also measure the course's reward-KL frontier (notebooks 04-06's PPO and DPO runs) into \"frontier\"." };
        var output = new Option<FileInfo?>("--out") { Description = "Also write the JSON to this file." };
        var command = new Command("eval", "Evaluate base, SFT, PPO and DPO on the held-out TinyWorld prompts with the gold judge (greedy and T=1).")
        {
            json, policies, perKind, frontier, output,
        };
        command.SetAction(parse => Run(parse.GetValue(json), parse.GetValue(policies) ?? [], parse.GetValue(perKind), parse.GetValue(frontier), parse.GetValue(output)));
        return command;
    }

    static int Run(bool asJson, string[] policyArguments, int perKind, bool withFrontier, FileInfo? output)
    {
        PolicySetOptions options;
        try
        {
            options = PolicySetOptions.Course(".");
            foreach (var text in policyArguments) options = options.WithPolicy(NamedPolicy.Parse(text));
            if (perKind < 0) throw new ArgumentException($"--prompts-per-kind must be 0 (all) or more, got {perKind}.");
            if (perKind > 0)
                options = options with
                {
                    Greedy = options.Greedy with { MaxPromptsPerKind = perKind },
                    TemperatureOne = options.TemperatureOne with { MaxPromptsPerKind = perKind },
                };
            options.Validate();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        try
        {
            Action<string>? progress = asJson ? null : name => AnsiConsole.MarkupLine($"evaluating [bold]{Markup.Escape(name)}[/] ...");
            var evaluation = PolicySetEvaluation.Run(options, progress);
            var result = evaluation.ToJson();
            if (withFrontier)
            {
                var frontierOptions = RewardKlFrontierOptions.Course(".");
                if (perKind > 0) frontierOptions = frontierOptions with { Evaluation = frontierOptions.Evaluation with { MaxPromptsPerKind = perKind } };
                result["frontier"] = RewardKlFrontier.Measure(frontierOptions, progress is null ? null : p => progress($"frontier: {p}")).ToJson();
            }
            var text = PolicySetEvaluation.Format(result);
            if (output is not null)
            {
                output.Directory?.Create();
                File.WriteAllText(output.FullName, text);
            }
            if (asJson)
            {
                Console.WriteLine(text);
                return 0;
            }
            Console.WriteLine(PolicySetEvaluation.Table(result));
            Console.WriteLine();
            Console.WriteLine(PolicySetEvaluation.Table(result, sampled: true));
            Console.WriteLine();
            Console.WriteLine(evaluation.SamplesTable());
            if (result["frontier"] is JsonNode node)
            {
                Console.WriteLine();
                Console.WriteLine(RewardKlFrontier.FromJson(node).ToTable());
            }
            return 0;
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or InvalidDataException or ArgumentException or Rlhf.Data.DatasetFormatException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
    }
}
