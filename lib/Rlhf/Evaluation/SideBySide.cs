using Rlhf.Checkpoints;
using Rlhf.Plots;
using Rlhf.Text;

namespace Rlhf.Evaluation;

/// <summary>
/// "Try your own prompt": every policy answers one TinyWorld prompt with the same decoding, and the gold judge gives
/// each answer its verdict, side by side.
/// </summary>
public static class SideBySide
{
    /// <summary>The policies' answers to <paramref name="prompt"/> with <paramref name="options"/>' decoding (default
    /// <see cref="PolicyEvaluationOptions.Greedy"/>) and the gold verdicts, one row per policy.</summary>
    /// <exception cref="ArgumentException">The prompt is not one the gold judge can score (not a TinyWorld task).</exception>
    /// <exception cref="DirectoryNotFoundException">A policy's folder holds no checkpoint (named, with the command that makes it).</exception>
    public static HtmlTable Answer(string prompt, IReadOnlyList<NamedPolicy> policies, PolicyEvaluationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt);
        ArgumentNullException.ThrowIfNull(policies);
        var rows = new List<(string Policy, PolicySample Sample)>();
        foreach (var policy in policies)
        {
            policy.Validate();
            using var model = Checkpoint.LoadGpt(policy.Folder);
            model.eval();
            var evaluator = new PolicyEvaluator(TextTokenizer.Load(policy.Folder), options ?? PolicyEvaluationOptions.Greedy);
            rows.Add((policy.Name, evaluator.Evaluate(policy.Name, model, [prompt]).Samples[0]));
        }
        return HtmlTable.From($"\"{prompt}\" ({rows.FirstOrDefault().Sample?.Kind}; {(options ?? PolicyEvaluationOptions.Greedy).Describe()})", rows,
            ("policy", r => r.Policy), ("answer", r => r.Sample.Response), ("gold verdict", r => r.Sample.Verdict.ToString()),
            ("gold score", r => r.Sample.GoldScore));
    }
}
