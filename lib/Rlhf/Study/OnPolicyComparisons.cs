using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Data;
using Rlhf.Evaluation;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.World;

namespace Rlhf.Study;

/// <summary>What <see cref="OnPolicyComparisons.Make"/> produced and left out.</summary>
/// <param name="Pairs">The labelled pairs (prompt, chosen, rejected).</param>
/// <param name="Prompts">Prompts sampled.</param>
/// <param name="Samples">Samples per prompt.</param>
/// <param name="EqualGold">Pairs of distinct samples with the same gold score, left out (the annotator would prefer one by noise alone).</param>
/// <param name="Empty">Samples with no text, left out (a pair file cannot hold an empty response).</param>
/// <param name="Agreement">Share of the pairs whose chosen response has the higher gold score (the annotator's noise flips the rest).</param>
public sealed record OnPolicyPairs(IReadOnlyList<PreferencePair> Pairs, int Prompts, int Samples, int EqualGold, int Empty, double Agreement);

/// <summary>
/// Comparisons of the policy's own samples, labelled by the world's simulated annotator: InstructGPT's labellers compared
/// model outputs, so the reward model learnt the policy's own failure modes; TinyWorld's shipped comparisons are of
/// templated styles only. For every prompt, N samples at temperature T; every pair of distinct, non-empty samples with
/// different gold scores is ordered by one Bradley-Terry draw of the annotator (gold plus its noise), as the world labels
/// its own comparisons. The gold judge never sees the pair: the annotator does, with its temperature.
/// </summary>
public static class OnPolicyComparisons
{
    /// <summary>The file the reward model and DPO read: the world's comparisons (<c>preferences_pairwise.jsonl</c> of
    /// <paramref name="worldFolder"/>) followed by comparisons of <paramref name="policyFolder"/>'s own samples on the world's
    /// preference prompts (<c>preferences_ranked.jsonl</c>; the first <paramref name="promptLimit"/> when above 0), written to
    /// <paramref name="outputFile"/> as <c>{"prompt","chosen","rejected"}</c> lines; the counts go to
    /// <paramref name="metricsFile"/> (<c>world_pairs</c>, <c>on_policy_pairs</c>, <c>on_policy_agreement</c>, what was left out).</summary>
    public static JsonObject WriteFile(string policyFolder, string worldFolder, int samples, double temperature, AnnotatorOptions annotator,
        ulong seed, string outputFile, string metricsFile, int maxNewTokens = 48, int promptLimit = 0)
    {
        var prompts = SeedFormats.LoadRanked(Path.Combine(worldFolder, "preferences_ranked.jsonl")).Records.Select(r => r.Prompt).ToList();
        if (promptLimit > 0) prompts = prompts.Take(promptLimit).ToList();
        var worldPairs = SeedFormats.LoadPairwise(Path.Combine(worldFolder, "preferences_pairwise.jsonl")).Records;
        OnPolicyPairs made;
        using (var policy = Checkpoint.LoadGpt(policyFolder))
            made = Make(policy, TextTokenizer.Load(policyFolder), prompts, samples, temperature, annotator, seed, maxNewTokens);
        foreach (var file in new[] { outputFile, metricsFile })
            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder) Directory.CreateDirectory(folder);
        JsonlRecords.Write(outputFile, worldPairs.Concat(made.Pairs).Select(p => new { prompt = p.Prompt, chosen = p.Chosen, rejected = p.Rejected }));
        var metrics = new JsonObject
        {
            ["world_pairs"] = worldPairs.Count, ["on_policy_pairs"] = made.Pairs.Count, ["on_policy_agreement"] = made.Agreement,
            ["equal_gold_left_out"] = made.EqualGold, ["empty_samples_left_out"] = made.Empty,
        };
        File.WriteAllText(metricsFile, metrics.ToJsonString());
        return metrics;
    }

    /// <summary>Samples <paramref name="policy"/> <paramref name="samples"/> times per prompt (seeds 1..N) and labels the pairs.</summary>
    public static OnPolicyPairs Make(ICausalLanguageModel policy, TextTokenizer tokenizer, IReadOnlyList<string> prompts, int samples,
        double temperature, AnnotatorOptions annotatorOptions, ulong seed, int maxNewTokens = 48)
    {
        if (samples < 2) throw new ArgumentException($"comparisons need at least 2 samples per prompt, not {samples}", nameof(samples));
        var passes = Enumerable.Range(1, samples).Select(s =>
        {
            var options = PolicyEvaluationOptions.TemperatureOne with
            {
                Generation = PolicyEvaluationOptions.TemperatureOne.Generation with
                {
                    Sampling = new SamplingOptions { Temperature = temperature }, Seed = s, MaxNewTokens = maxNewTokens,
                },
            };
            return new PolicyEvaluator(tokenizer, options).Evaluate($"sample {s}", policy, prompts).Samples;
        }).ToList();
        var annotator = new SimulatedAnnotator(annotatorOptions, WorldRandom.For(seed, "on-policy comparisons"));
        var pairs = new List<PreferencePair>();
        int equalGold = 0, empty = 0, agree = 0;
        for (int i = 0; i < prompts.Count; i++)
        {
            var task = WorldPrompts.Parse(prompts[i])!.Value.Task;
            var drawn = passes.Select(p => (Text: p[i].Response.Trim(), p[i].GoldScore)).ToList();
            empty += drawn.Count(d => d.Text.Length == 0);
            var distinct = drawn.Where(d => d.Text.Length > 0).DistinctBy(d => d.Text).ToList();
            for (int a = 0; a < distinct.Count; a++)
                for (int b = a + 1; b < distinct.Count; b++)
                {
                    if (distinct[a].GoldScore == distinct[b].GoldScore) { equalGold++; continue; }
                    bool first = annotator.PrefersFirst(task, distinct[a].Text, distinct[b].Text);
                    if (first == distinct[a].GoldScore > distinct[b].GoldScore) agree++;
                    var (chosen, rejected) = first ? (distinct[a].Text, distinct[b].Text) : (distinct[b].Text, distinct[a].Text);
                    pairs.Add(new PreferencePair(prompts[i], chosen, rejected));
                }
        }
        return new OnPolicyPairs(pairs, prompts.Count, samples, equalGold, empty, pairs.Count == 0 ? double.NaN : agree / (double)pairs.Count);
    }
}
