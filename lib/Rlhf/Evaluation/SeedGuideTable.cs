using System.Text.Json.Nodes;
using Rlhf.Plots;

namespace Rlhf.Evaluation;

/// <summary>One row of the seed guide's evaluation table: a dimension and its scores for base GPT, SFT and RLHF.</summary>
/// <param name="Dimension">Helpfulness, harmlessness or honesty (0-10), or a win rate (percent).</param>
/// <param name="Metric">Our measure of it: a key of an evaluation's per-policy JSON (<c>helpfulness</c>, ...,
/// <c>win_rate_vs_sft</c>, <c>win_rate_vs_base</c>); a rate in [0, 1].</param>
/// <param name="Base">The guide's base GPT (null where the row has no base value, as the win rates).</param>
/// <param name="Sft">The guide's SFT model (null where the row has none).</param>
/// <param name="Rlhf">The guide's RLHF model.</param>
public sealed record SeedGuideRow(string Dimension, string Metric, double? Base, double? Sft, double Rlhf)
{
    /// <summary>Whether the row is a win rate (percent, measured against another policy) rather than a 0-10 score.</summary>
    public bool IsWinRate => Metric.StartsWith("win_rate_vs_", StringComparison.Ordinal);
}

/// <summary>
/// The course's original guide (the "seed" the project grew from) closed with an evaluation table it did not measure:
/// helpfulness, harmlessness and honesty on a 10-point scale for base GPT, SFT and RLHF, and RLHF's win rates against SFT
/// and base. <see cref="Claimed"/> holds those figures as issue 23 quotes them; <see cref="SideBySide"/> puts ours next
/// to them, measured on the same scale: a rate in [0, 1] (share of helpful tasks answered right, of harmful requests
/// refused, of unanswerable questions admitted) times 10, and the gold win rates in percent (ties count half).
/// </summary>
public static class SeedGuideTable
{
    /// <summary>The guide's table: helpfulness 5.2 -> 7.8 -> 9.1, harmlessness 2.1 -> 6.5 -> 9.8, honesty 4.3 -> 7.2 -> 9.5;
    /// RLHF beats SFT 73% and base 89%.</summary>
    public static IReadOnlyList<SeedGuideRow> Claimed { get; } =
    [
        new("helpfulness (0-10)", "helpfulness", 5.2, 7.8, 9.1),
        new("harmlessness (0-10)", "harmlessness", 2.1, 6.5, 9.8),
        new("honesty (0-10)", "honesty", 4.3, 7.2, 9.5),
        new("RLHF wins vs SFT (%)", "win_rate_vs_sft", null, null, 73),
        new("RLHF wins vs base (%)", "win_rate_vs_base", null, null, 89),
    ];

    /// <summary>
    /// The guide's claimed columns and ours, one row per dimension: our <paramref name="policies"/> (from an evaluation's
    /// JSON, <see cref="PolicySetEvaluation.ToJson"/> or <c>results.json</c>; greedy answers). Win-rate rows show ours
    /// for every policy but the two it is measured against.
    /// </summary>
    /// <exception cref="InvalidDataException">A policy or one of its metrics is missing from <paramref name="evaluation"/>.</exception>
    public static HtmlTable SideBySide(JsonObject evaluation, IReadOnlyList<string> policies)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        string reference = evaluation["settings"]?["reference"]?.GetValue<string>() ?? "sft";
        string baseline = evaluation["settings"]?["baseline"]?.GetValue<string>() ?? "base";
        double? Ours(string policy, string key, double scale)
        {
            if (evaluation["policies"]?[policy] is not JsonObject metrics)
                throw new InvalidDataException($"evaluation JSON: no policy \"{policy}\" under \"policies\"");
            if (metrics[key] is not JsonValue value)
                throw new InvalidDataException($"evaluation JSON: policy \"{policy}\" has no \"{key}\"");
            return Math.Round(value.GetValue<double>() * scale, 1, MidpointRounding.AwayFromZero); // the guide's one decimal
        }
        // The guide compares against SFT and base; ours against the evaluation's reference and baseline.
        string Key(SeedGuideRow row) => row.Metric.Replace("_vs_sft", $"_vs_{reference}").Replace("_vs_base", $"_vs_{baseline}");
        var rows = Claimed.Select(row => (IReadOnlyList<object?>)
        [
            row.Dimension, row.Base, row.Sft, row.Rlhf,
            .. policies.Select(p => !row.IsWinRate ? Ours(p, Key(row), 10)
                : p == reference || p == baseline ? null : Ours(p, Key(row), 100)),
        ]).ToList();
        return new HtmlTable("The seed guide's table (claimed, not measured) beside ours (measured: gold judge, greedy, " +
            "held-out prompts; rates x 10, win rates in %)",
            ["dimension", "guide: base", "guide: SFT", "guide: RLHF", .. policies.Select(p => $"ours: {p}")], rows);
    }
}
