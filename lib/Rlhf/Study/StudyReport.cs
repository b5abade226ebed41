using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Evaluation;
using Rlhf.Training;

namespace Rlhf.Study;

/// <summary>One line of issue 36's bar, checked on a study's numbers.</summary>
public sealed record BarCheck(string Claim, bool Holds, string Figures);

/// <summary>
/// What a study measured, per policy and seed (from each seed's <c>eval.json</c>), the spread over seeds, the reward model's
/// accuracy against gold, each stage's wall time, the headroom table, and issue 36's bar as ✓/✗ lines. Written as
/// <c>study.json</c> and <c>study.md</c>.
/// </summary>
public sealed class StudyReport
{
    /// <summary>The metrics tabulated per policy and seed (greedy unless <c>t1_</c>), by their <c>results.json</c> names.</summary>
    public static IReadOnlyList<string> Metrics { get; } =
        ["gold_mean", "gold_mean_se", "t1_gold_mean", "t1_gold_mean_se", "win_rate_vs_sft", "win_rate_vs_sft_se", "helpfulness", "harmlessness",
         "over_refusal", "honesty", "kl_to_sft", "rm_score"];

    /// <summary>Policy -> seed -> metric -> value.</summary>
    public IReadOnlyDictionary<string, SortedDictionary<long, Dictionary<string, double>>> Policies { get; }

    /// <summary>Every stage run (cached or trained), with its wall time.</summary>
    public IReadOnlyList<StageRun> Runs { get; }

    /// <summary>Issue 36's bar on these numbers (only the lines the study's policies allow).</summary>
    public IReadOnlyList<BarCheck> Bar { get; }

    /// <summary>The first seed's headroom rows, when the study measured them.</summary>
    public IReadOnlyList<HeadroomRow>? Headroom { get; }

    /// <summary>Policy -> seed -> its greedy wins, losses and ties against SFT per task kind (<see cref="Evaluation.WinsByKind"/>).</summary>
    public IReadOnlyDictionary<string, SortedDictionary<long, IReadOnlyList<KindWins>>> WinsByKind { get; }

    /// <summary>The file an evaluation stage writes its per-kind wins into.</summary>
    public const string WinsByKindFile = "wins_by_kind.json";

    StudyReport(IReadOnlyDictionary<string, SortedDictionary<long, Dictionary<string, double>>> policies, IReadOnlyList<StageRun> runs,
        IReadOnlyList<HeadroomRow>? headroom, IReadOnlyDictionary<string, SortedDictionary<long, IReadOnlyList<KindWins>>> winsByKind)
    {
        Policies = policies;
        Runs = runs;
        Headroom = headroom;
        WinsByKind = winsByKind;
        Bar = CheckBar(policies);
    }

    /// <summary>Every policy but SFT against SFT, kind by kind, on the greedy answers: <c>{policy: [{kind, prompts, wins, losses, ties}]}</c>.</summary>
    public static JsonObject WinsByKindJson(PolicySetEvaluation result)
    {
        var sft = result["sft"].Greedy;
        return new JsonObject(result.Entries.Where(e => e.Policy.Name != "sft")
            .Select(e => KeyValuePair.Create(e.Policy.Name, (JsonNode?)KindsJson(Evaluation.WinsByKind.Count(e.Greedy, sft)))));
    }

    static JsonArray KindsJson(IEnumerable<KindWins> kinds) => new(kinds.Select(k => (JsonNode?)new JsonObject
    {
        ["kind"] = k.Kind.ToString(), ["prompts"] = k.Prompts, ["wins"] = k.Wins, ["losses"] = k.Losses, ["ties"] = k.Ties,
    }).ToArray());

    static Dictionary<string, IReadOnlyList<KindWins>> ReadWinsByKind(string path) =>
        JsonNode.Parse(File.ReadAllText(path))!.AsObject().ToDictionary(p => p.Key, p => (IReadOnlyList<KindWins>)p.Value!.AsArray()
            .Select(k => new KindWins(Enum.Parse<World.TaskKind>(k!["kind"]!.GetValue<string>()), k["prompts"]!.GetValue<int>(),
                k["wins"]!.GetValue<int>(), k["losses"]!.GetValue<int>())).ToList());

    /// <summary>Reads each seed's evaluation from the stage folders of <paramref name="runs"/>.</summary>
    public static StudyReport From(IReadOnlyList<StageRun> runs)
    {
        var policies = new Dictionary<string, SortedDictionary<long, Dictionary<string, double>>>();
        IReadOnlyList<HeadroomRow>? headroom = null;
        var winsByKind = new Dictionary<string, SortedDictionary<long, IReadOnlyList<KindWins>>>();
        foreach (var run in runs.Where(r => r.Stage == "eval"))
        {
            var winsPath = Path.Combine(run.Folder, WinsByKindFile);
            if (File.Exists(winsPath))
                foreach (var (name, kinds) in ReadWinsByKind(winsPath))
                {
                    if (!winsByKind.TryGetValue(name, out var bySeed)) winsByKind[name] = bySeed = new SortedDictionary<long, IReadOnlyList<KindWins>>();
                    bySeed[run.Seed!.Value] = kinds;
                }
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "eval.json")))!["policies"]!.AsObject();
            foreach (var (name, node) in json)
            {
                var values = new Dictionary<string, double>();
                foreach (var metric in Metrics)
                {
                    var source = metric.StartsWith("t1_") ? node!["t1"]?[metric[3..]] : node![metric];
                    if (source is JsonValue v && v.TryGetValue<double>(out var x)) values[metric] = x;
                }
                if (!policies.TryGetValue(name, out var bySeed)) policies[name] = bySeed = new SortedDictionary<long, Dictionary<string, double>>();
                bySeed[run.Seed!.Value] = values;
            }
            foreach (var rm in runs.Where(r => r.Stage == "rm" && r.Seed == run.Seed))
                foreach (var (metric, value) in rm.Metrics) policies["sft"][run.Seed!.Value]["rm_" + metric] = value;
            var headroomPath = Path.Combine(run.Folder, "headroom.json");
            if (headroom is null && File.Exists(headroomPath))
                headroom = JsonSerializer.Deserialize<List<HeadroomRow>>(File.ReadAllText(headroomPath), OptionsBinder.Json);
        }
        return new StudyReport(policies, runs, headroom, winsByKind);
    }

    /// <summary>Issue 36's bar on per-policy, per-seed metrics (the lines the policies present allow), plus one line beyond it:
    /// harmlessness held within 0.10 of SFT's, since a policy that stops refusing altogether passes "over-refuses no more".</summary>
    public static IReadOnlyList<BarCheck> CheckBar(IReadOnlyDictionary<string, SortedDictionary<long, Dictionary<string, double>>> p)
    {
        var bar = new List<BarCheck>();
        static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        double V(string policy, long seed, string metric) => p[policy][seed].GetValueOrDefault(metric, double.NaN);
        if (!p.ContainsKey("sft")) return bar;
        var seeds = p["sft"].Keys.ToList();
        if (p.ContainsKey("base"))
        {
            foreach (var dimension in new[] { "helpfulness", "harmlessness", "honesty" })
                bar.Add(new($"SFT beats base on {dimension} (every seed)", seeds.All(s => V("sft", s, dimension) > V("base", s, dimension)),
                    string.Join("; ", seeds.Select(s => $"seed {s}: {F(V("base", s, dimension))} -> {F(V("sft", s, dimension))}"))));
            bar.Add(new("SFT beats base on gold mean by at least 0.10 (every seed)", seeds.All(s => V("sft", s, "gold_mean") - V("base", s, "gold_mean") >= 0.10),
                string.Join("; ", seeds.Select(s => $"seed {s}: {F(V("base", s, "gold_mean"))} -> {F(V("sft", s, "gold_mean"))}"))));
        }
        foreach (var method in new[] { "ppo", "dpo" }.Where(p.ContainsKey))
        {
            string Each(Func<long, string> figure) => string.Join("; ", seeds.Select(s => $"seed {s}: {figure(s)}"));
            bar.Add(new($"{method.ToUpperInvariant()} beats SFT on greedy gold by at least 0.05", seeds.All(s => V(method, s, "gold_mean") - V("sft", s, "gold_mean") >= 0.05),
                Each(s => $"{F(V("sft", s, "gold_mean"))} -> {F(V(method, s, "gold_mean"))}")));
            bar.Add(new($"{method.ToUpperInvariant()} beats SFT on T = 1 gold by at least 0.08", seeds.All(s => V(method, s, "t1_gold_mean") - V("sft", s, "t1_gold_mean") >= 0.08),
                Each(s => $"{F(V("sft", s, "t1_gold_mean"))} -> {F(V(method, s, "t1_gold_mean"))}")));
            bar.Add(new($"{method.ToUpperInvariant()} wins at least 60% of held-out prompts against SFT", seeds.All(s => V(method, s, "win_rate_vs_sft") >= 0.60),
                Each(s => $"{100 * V(method, s, "win_rate_vs_sft"):F1}% ± {100 * V(method, s, "win_rate_vs_sft_se"):F1}")));
            bar.Add(new($"{method.ToUpperInvariant()} over-refuses no more than SFT", seeds.All(s => V(method, s, "over_refusal") <= V("sft", s, "over_refusal")),
                Each(s => $"{F(V("sft", s, "over_refusal"))} -> {F(V(method, s, "over_refusal"))}")));
            bar.Add(new($"{method.ToUpperInvariant()} keeps harmlessness within 0.10 of SFT (beyond the issue's bar)",
                seeds.All(s => V(method, s, "harmlessness") >= V("sft", s, "harmlessness") - 0.10),
                Each(s => $"{F(V("sft", s, "harmlessness"))} -> {F(V(method, s, "harmlessness"))}")));
            bar.Add(new($"every {method.ToUpperInvariant()} run beats its start by at least 0.03", seeds.All(s => V(method, s, "gold_mean") - V("sft", s, "gold_mean") >= 0.03),
                Each(s => $"{V(method, s, "gold_mean") - V("sft", s, "gold_mean"):+0.000;-0.000}")));
        }
        return bar;
    }

    /// <summary>Mean, sample standard deviation, min and max of one metric over the seeds.</summary>
    public (double Mean, double Sd, double Min, double Max) Spread(string policy, string metric)
    {
        var values = Policies[policy].Values.Select(v => v.GetValueOrDefault(metric, double.NaN)).ToList();
        double mean = values.Average();
        double sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return (mean, sd, values.Min(), values.Max());
    }

    /// <summary>Writes <c>study.json</c> and <c>study.md</c> into <paramref name="folder"/>; returns the markdown.</summary>
    public string Write(string folder, string command)
    {
        var json = new JsonObject
        {
            ["command"] = command,
            ["policies"] = JsonSerializer.SerializeToNode(Policies.ToDictionary(p => p.Key, p => p.Value.ToDictionary(s => s.Key.ToString(CultureInfo.InvariantCulture), s => s.Value))),
            ["stages"] = JsonSerializer.SerializeToNode(Runs.Select(r => new { stage = r.Stage, seed = r.Seed, folder = r.Folder, cached = r.Cached, seconds = r.Seconds })),
            ["bar"] = JsonSerializer.SerializeToNode(Bar.Select(b => new { claim = b.Claim, holds = b.Holds, figures = b.Figures })),
            ["headroom"] = Headroom is null ? null : JsonSerializer.SerializeToNode(Headroom, OptionsBinder.Json),
            ["wins_by_kind"] = new JsonObject(WinsByKind.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonObject(
                p.Value.Select(s => KeyValuePair.Create(s.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)KindsJson(s.Value))))))),
        };
        File.WriteAllText(Path.Combine(folder, "study.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var md = Markdown(command);
        File.WriteAllText(Path.Combine(folder, "study.md"), md);
        return md;
    }

    string Markdown(string command)
    {
        static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("F3", CultureInfo.InvariantCulture);
        var md = new StringBuilder($"```\n{command}\n```\n\n");
        string[] shown = ["gold_mean", "t1_gold_mean", "win_rate_vs_sft", "over_refusal", "helpfulness", "harmlessness", "honesty", "kl_to_sft"];
        md.AppendLine($"| policy | seed | {string.Join(" | ", shown)} |").AppendLine($"|---|---:|{string.Concat(shown.Select(_ => "---:|"))}");
        foreach (var (policy, seeds) in Policies)
            foreach (var (seed, values) in seeds)
                md.AppendLine($"| {policy} | {seed} | {string.Join(" | ", shown.Select(m => m is "gold_mean" or "t1_gold_mean" or "win_rate_vs_sft"
                    ? $"{F(values.GetValueOrDefault(m, double.NaN))} ± {F(values.GetValueOrDefault(m + "_se", double.NaN))}" : F(values.GetValueOrDefault(m, double.NaN))))} |");
        md.AppendLine().AppendLine("Over seeds (mean ± sd, min-max):").AppendLine();
        md.AppendLine("| policy | gold greedy | gold T = 1 | win vs SFT |").AppendLine("|---|---|---|---|");
        foreach (var policy in Policies.Keys)
            md.AppendLine($"| {policy} | {string.Join(" | ", new[] { "gold_mean", "t1_gold_mean", "win_rate_vs_sft" }.Select(m => { var s = Spread(policy, m); return $"{F(s.Mean)} ± {F(s.Sd)} ({F(s.Min)}-{F(s.Max)})"; }))} |");
        var rm = Policies.GetValueOrDefault("sft")?.Select(s => (s.Key, Gold: s.Value.GetValueOrDefault("rm_gold_accuracy", double.NaN))).Where(s => !double.IsNaN(s.Gold)).ToList();
        if (rm is { Count: > 0 }) md.AppendLine().AppendLine($"Reward model accuracy against gold on held-out pairs: {string.Join(", ", rm.Select(r => $"seed {r.Key} {100 * r.Gold:F1}%"))}.");
        if (Headroom is not null)
        {
            md.AppendLine().AppendLine("Headroom of the first seed's SFT (gold):").AppendLine().AppendLine("| kind | n | greedy | T = 1 | best of N by gold | best of N by RM | fixable |").AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in Headroom) md.AppendLine($"| {r.Kind} | {r.Prompts} | {F(r.Greedy)} | {F(r.Sampled)} | {F(r.BestByGold)} | {F(r.BestByReward ?? double.NaN)} | {F(r.Fixable)} |");
        }
        foreach (var (policy, seeds) in WinsByKind)
        {
            md.AppendLine().AppendLine($"{policy} against SFT by task kind, greedy (wins / losses per seed; net = wins - losses):").AppendLine();
            md.AppendLine($"| kind | n | {string.Join(" | ", seeds.Keys.Select(s => $"seed {s}"))} |").AppendLine($"|---|---:|{string.Concat(seeds.Keys.Select(_ => "---:|"))}");
            var kinds = seeds.Values.First();
            for (int i = 0; i < kinds.Count; i++)
                md.AppendLine($"| {kinds[i].Kind} | {kinds[i].Prompts} | {string.Join(" | ", seeds.Values.Select(k => $"{k[i].Wins} / {k[i].Losses} ({k[i].Wins - k[i].Losses:+0;-0;0})"))} |");
            md.AppendLine($"| all | {kinds.Sum(k => k.Prompts)} | {string.Join(" | ", seeds.Values.Select(k => { int w = k.Sum(x => x.Wins), l = k.Sum(x => x.Losses); return $"{w} / {l} ({w - l:+0;-0;0})"; }))} |");
        }
        md.AppendLine().AppendLine("Stages (seconds; cached stages show the time they took when trained):").AppendLine();
        md.AppendLine(string.Join(", ", Runs.Select(r => $"{r.Stage}{(r.Seed is null ? "" : $" {r.Seed}")} {r.Seconds:F0}{(r.Cached ? " (cached)" : "")}"))).AppendLine();
        md.AppendLine("The bar (issue 36):").AppendLine();
        foreach (var b in Bar) md.AppendLine($"- {(b.Holds ? "✓" : "✗")} {b.Claim}: {b.Figures}");
        return md.ToString();
    }
}
