using Rlhf.Plots;
using Rlhf.World;

namespace Rlhf.Evaluation;

/// <summary>
/// What <see cref="PolicyEvaluator"/> measured for one policy: every prompt's response and gold verdict, the aggregates,
/// and the sampling settings that produced them. <see cref="ToTable"/> shows one policy; <see cref="Compare"/> puts
/// several side by side (rows = metrics, columns = policies).
/// </summary>
/// <param name="Policy">The name shown in tables ("base", "sft", ...).</param>
/// <param name="Sampling">How the responses were generated, in words (e.g. <c>greedy, max 48 new tokens</c>).</param>
/// <param name="Samples">One judged response per prompt, in prompt order.</param>
/// <param name="Metrics">The aggregates of <paramref name="Samples"/>.</param>
public sealed record PolicyEvaluation(string Policy, string Sampling, IReadOnlyList<PolicySample> Samples, PolicyMetrics Metrics)
{
    /// <summary>Builds the result from judged samples, aggregating them with <see cref="PolicyMetrics.From"/>.</summary>
    public static PolicyEvaluation FromSamples(string policy, string sampling, IReadOnlyList<PolicySample> samples) =>
        new(policy, sampling, samples, PolicyMetrics.From(samples));

    /// <summary>The metrics of this policy as a two-column table, the sampling settings in the caption.</summary>
    public HtmlTable ToTable() =>
        new($"{Policy}: gold judge on {Metrics.Prompts} held-out prompts ({Sampling})", ["metric", Policy],
            Metrics.TableRows().Select(r => (IReadOnlyList<object?>)[r.Label, r.Value]).ToArray());

    /// <summary>The first <paramref name="perKind"/> samples of each task kind: prompt, response, verdict, gold score.</summary>
    public HtmlTable SamplesTable(int perKind = 2) =>
        HtmlTable.From($"{Policy}: sample responses ({Sampling})", Samples.GroupBy(s => s.Kind).SelectMany(g => g.Take(perKind)),
            ("task", s => s.Kind.ToString()), ("prompt", s => s.Prompt), ("response", s => s.Response.Trim()),
            ("verdict", s => s.Verdict.ToString()), ("gold", s => s.GoldScore));

    /// <summary>Several policies side by side: one row per metric, one column per policy (names must differ).
    /// The caption states each policy's sampling settings once if they agree, per policy otherwise.</summary>
    public static HtmlTable Compare(IReadOnlyList<PolicyEvaluation> evaluations, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        if (evaluations.Count == 0) throw new ArgumentException("nothing to compare: pass at least one evaluation", nameof(evaluations));
        var labels = evaluations[0].Metrics.TableRows().Select(r => r.Label).ToList();
        var values = evaluations.Select(e => e.Metrics.TableRows().Select(r => r.Value).ToList()).ToList();
        var rows = labels.Select((label, i) => (IReadOnlyList<object?>)[label, .. values.Select(v => v[i])]).ToArray();
        var samplings = evaluations.Select(e => e.Sampling).Distinct().ToList();
        string how = samplings.Count == 1 ? samplings[0] : string.Join("; ", evaluations.Select(e => $"{e.Policy}: {e.Sampling}"));
        return new HtmlTable(caption ?? $"Gold judge on held-out prompts ({how})", ["metric", .. evaluations.Select(e => e.Policy)], rows);
    }

    /// <summary>The rows a notebook cell is about: the four rates, the mean gold score with its standard error, the length and how often
    /// the answers stop by themselves (<see cref="Compare"/> has every metric; <c>results.json</c> keeps them all).</summary>
    public static HtmlTable Headline(IReadOnlyList<PolicyEvaluation> evaluations, string? caption = null)
    {
        var full = Compare(evaluations, caption);
        string[] headline = ["helpfulness", "harmlessness", "over-refusal", "honesty", "mean gold score", "± standard error", "mean length", "stopped by itself"];
        return new HtmlTable(full.Caption, full.Columns, full.Rows.Where(r => headline.Any(h => ((string)r[0]!).StartsWith(h, StringComparison.Ordinal))).ToArray());
    }

    /// <summary>The headline rates of several policies as grouped bars: helpfulness, harmlessness, honesty (higher is better)
    /// and over-refusal (lower is better), one bar per policy; a rate without prompts of its kind shows as 0.</summary>
    public static Figure CompareChart(IReadOnlyList<PolicyEvaluation> evaluations, string title = "Gold judge on held-out prompts")
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        string[] categories = ["helpfulness ↑", "harmlessness ↑", "honesty ↑", "over-refusal ↓"];
        return Charts.GroupedBars(title, "dimension", "rate", categories, evaluations.Select(e => (e.Policy,
            (IReadOnlyList<double>)[e.Metrics.Helpfulness ?? 0, e.Metrics.Harmlessness ?? 0, e.Metrics.Honesty ?? 0, e.Metrics.OverRefusal ?? 0])).ToArray());
    }

    /// <summary>
    /// The same prompts answered by each policy, side by side: <paramref name="perKind"/> prompts of each task kind, those
    /// whose answers the gold judge scores most differently first, one response column per policy with its verdict. The evaluations must cover the same prompts in the same order.
    /// </summary>
    public static HtmlTable CompareSamples(IReadOnlyList<PolicyEvaluation> evaluations, int perKind = 1)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        if (evaluations.Count == 0) throw new ArgumentException("nothing to compare: pass at least one evaluation", nameof(evaluations));
        var prompts = evaluations[0].Samples.Select(s => s.Prompt).ToList();
        foreach (var e in evaluations.Skip(1))
            if (!e.Samples.Select(s => s.Prompt).SequenceEqual(prompts))
                throw new ArgumentException($"'{e.Policy}' was evaluated on other prompts than '{evaluations[0].Policy}'; compare evaluations of the same prompt list", nameof(evaluations));
        // Per task kind, prompts whose answers the gold judge scores most differently come first: those show what changed
        // (the first prompt of a kind is often one every policy gets wrong the same way).
        double Spread(int i) => evaluations.Max(e => e.Samples[i].GoldScore) - evaluations.Min(e => e.Samples[i].GoldScore);
        var chosen = Enumerable.Range(0, prompts.Count).GroupBy(i => evaluations[0].Samples[i].Kind)
            .SelectMany(g => g.OrderByDescending(Spread).ThenBy(i => i).Take(perKind)).ToList();
        var rows = chosen.Select(i => (IReadOnlyList<object?>)[
            evaluations[0].Samples[i].Kind.ToString(), prompts[i],
            .. evaluations.Select(e => (object?)$"{e.Samples[i].Response.Trim()}  [{e.Samples[i].Verdict}]")]).ToArray();
        return new HtmlTable(evaluations.Count == 1 ? "Responses [gold verdict]" : "The same prompts, each policy's response [gold verdict]; per task, prompts where the policies differ first", ["task", "prompt", .. evaluations.Select(e => e.Policy)], rows);
    }
}
