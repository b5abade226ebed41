using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Training;
using Rlhf.World;
using static TorchSharp.torch;

namespace Rlhf;

/// <summary>What an exercise's check says about the learner's answer: solved or not, and the figures it read.</summary>
public sealed record ExerciseVerdict(bool Solved, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>
/// Checks for the notebooks' judgement exercises (course level, beside <see cref="CoursePolicies"/>: they read evaluations and DPO runs): the learner finds a prompt, an answer or a setting, and the check reads
/// it against the run's own models and evaluations (not against a stored answer). Each check names what it measured,
/// so "not yet" says how far off the learner is without giving the answer away.
/// </summary>
public static class ExerciseChecks
{
    /// <summary>log pi(response | prompt) under <paramref name="model"/> through the chat template: the summed log-probability
    /// of the response tokens and their end-of-text (what sampling and greedy decoding pursue), and how many tokens that is.</summary>
    public static (double LogProb, int Tokens) ResponseLogProb(ICausalLanguageModel model, ChatTemplate template, string prompt,
        string response)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = BatchCollator.ForTraining([template.EncodeTraining(prompt, response, model.ContextLength)], template.Tokenizer.PadId);
        var ids = tensor(batch.InputIds, device: model.Device); // (1, T)
        var mask = tensor(batch.LossMask, device: model.Device); // (1, T)
        var (sum, tokens) = SequenceLogProbs.Summed(model.forward(ids, null, null), ids, mask); // (1), (1)
        return (sum.item<float>(), (int)tokens.item<float>());
    }

    /// <summary>"Likely is not right": solved when <paramref name="mine"/> is more likely under <paramref name="model"/> than
    /// <paramref name="right"/> (summed log-probability of the response) while the gold judge scores it below 1.</summary>
    public static ExerciseVerdict MoreLikelyButWrong(ICausalLanguageModel model, ChatTemplate template, string prompt, string right,
        string mine)
    {
        if (string.IsNullOrWhiteSpace(mine)) return new(false, $"write your answer to \"{prompt}\" into the string above");
        var (rightLogProb, _) = ResponseLogProb(model, template, prompt, right);
        var (myLogProb, myTokens) = ResponseLogProb(model, template, prompt, mine);
        double gold = GoldJudge.Score(prompt, mine).Score;
        string figures = $"log p(yours) = {myLogProb:F1} over {myTokens} tokens, log p(\"{right}\") = {rightLogProb:F1}; " +
            $"gold {gold:F1}";
        return myLogProb > rightLogProb && gold < 1
            ? new(true, $"found: {figures}. The model prefers your answer; the judge does not.")
            : gold >= 1 ? new(false, $"not yet: {figures}. Gold accepts it: the answer must be wrong, or refuse, or dodge.")
            : new(false, $"not yet: {figures}. Wrong, but less likely than the right answer: what did the corpus say often?");
    }

    /// <summary>"Find a prompt where <paramref name="worse"/> loses to <paramref name="better"/>": solved when the prompt is one of
    /// both evaluations' held-out prompts and <paramref name="worse"/>'s answer has the lower gold score.</summary>
    public static ExerciseVerdict LosesOn(string prompt, PolicyEvaluation worse, PolicyEvaluation better)
    {
        ArgumentNullException.ThrowIfNull(worse);
        ArgumentNullException.ThrowIfNull(better);
        int losses = Paired(worse, better).Count(p => p.A.GoldScore < p.B.GoldScore);
        if (Problem(prompt, worse, better, $"{losses} of {worse.Samples.Count} prompts in this run have {worse.Policy} below " +
            $"{better.Policy}") is { } problem) return problem;
        var (a, b) = (Find(worse, prompt)!, Find(better, prompt)!);
        string figures = $"{worse.Policy}: \"{a.Response}\" ({a.Verdict}, gold {a.GoldScore:F1}); {better.Policy}: " +
            $"\"{b.Response}\" ({b.Verdict}, gold {b.GoldScore:F1})";
        return a.GoldScore < b.GoldScore
            ? new(true, $"found ({a.Kind}): {figures}")
            : new(false, $"not yet ({a.Kind}): {figures}; {losses} prompts in this run have {worse.Policy} below " +
                $"{better.Policy}");
    }

    /// <summary>"The reward model and the judge disagree": solved when, on a held-out prompt of both evaluations, the reward
    /// model scores <paramref name="a"/>'s answer above <paramref name="b"/>'s while gold scores it below, or the reverse.</summary>
    /// <exception cref="ArgumentException">An evaluation has no reward-model scores (it was run without a reward checkpoint).</exception>
    public static ExerciseVerdict JudgesDisagree(string prompt, PolicyEvaluation a, PolicyEvaluation b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        foreach (var e in new[] { a, b })
            if (e.Samples.Any(s => s.RewardScore is null))
                throw new ArgumentException($"'{e.Policy}' ({e.Sampling}) has no reward-model scores: evaluate it with a reward checkpoint");
        static bool Disagree(PolicySample x, PolicySample y) =>
            Math.Sign(x.RewardScore!.Value - y.RewardScore!.Value) * Math.Sign(x.GoldScore - y.GoldScore) < 0;
        int count = Paired(a, b).Count(p => Disagree(p.A, p.B));
        if (Problem(prompt, a, b, $"{count} of {a.Samples.Count} prompts in this run qualify") is { } problem) return problem;
        var (x, y) = (Find(a, prompt)!, Find(b, prompt)!);
        string figures = $"{a.Policy}: \"{x.Response}\" (reward {x.RewardScore:F2}, gold {x.GoldScore:F1}); {b.Policy}: " +
            $"\"{y.Response}\" (reward {y.RewardScore:F2}, gold {y.GoldScore:F1})";
        return Disagree(x, y)
            ? new(true, $"found ({x.Kind}): {figures}. {count} prompts in this run disagree like this.")
            : new(false, $"not yet ({x.Kind}): {figures}: the two judges agree or one sees a tie");
    }

    /// <summary>"Find a setting where DPO's implicit reward says better and the judge says worse": solved when the run's last
    /// held-out <c>rewards/margins</c> is above 0 (it starts at 0: policy = reference) and its greedy gold mean on
    /// <paramref name="reference"/>'s prompts is below the reference policy's.</summary>
    public static ExerciseVerdict MarginUpGoldDown(DpoResult run, PolicyEvaluator evaluator, PolicyEvaluation reference)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(reference);
        double margin = run.Training.History.Last("eval/rewards/margins")
            ?? throw new ArgumentException("the run has no held-out evaluation (set Training.EvalEvery above 0)");
        var gold = evaluator.Evaluate("yours", run.Policy, reference.Samples.Select(s => s.Prompt).ToList()).Metrics.GoldScore.Mean;
        return MarginUpGoldDown(margin, gold, reference.Metrics.GoldScore.Mean);
    }

    /// <summary>The verdict of <see cref="MarginUpGoldDown(DpoResult, PolicyEvaluator, PolicyEvaluation)"/> from its three figures.</summary>
    public static ExerciseVerdict MarginUpGoldDown(double margin, double gold, double referenceGold)
    {
        string figures = $"held-out margin 0 -> {margin:F3}, gold {referenceGold:F3} (start) -> {gold:F3}";
        return margin > 0 && gold < referenceGold
            ? new(true, $"found: {figures}. The implicit reward model is sure it improved; the judge says it got worse.")
            : margin <= 0 ? new(false, $"not yet: {figures}. The held-out margin did not rise: the policy must move further from the reference.")
            : new(false, $"not yet: {figures}. Gold did not fall: what keeps the chosen answers likely in the course's options?");
    }

    /// <summary>The two evaluations' samples of the same prompt, side by side.</summary>
    static IEnumerable<(PolicySample A, PolicySample B)> Paired(PolicyEvaluation a, PolicyEvaluation b) =>
        a.Samples.Join(b.Samples, s => s.Prompt, s => s.Prompt, (x, y) => (x, y));

    /// <summary>What is wrong with the learner's <paramref name="prompt"/> before it can be judged: nothing written yet (the hint
    /// says how many prompts qualify), or not a held-out prompt of both evaluations; null when both have it.</summary>
    static ExerciseVerdict? Problem(string prompt, PolicyEvaluation a, PolicyEvaluation b, string qualifying) =>
        string.IsNullOrWhiteSpace(prompt) ? new(false, $"write a held-out prompt into the string above ({qualifying})")
        : Find(a, prompt) is null || Find(b, prompt) is null
            ? new(false, $"not yet: \"{prompt}\" is not one of this run's {a.Samples.Count} held-out prompts; pick one from the " +
                "samples tables above")
        : null;

    static PolicySample? Find(PolicyEvaluation evaluation, string prompt) =>
        evaluation.Samples.FirstOrDefault(s => string.Equals(s.Prompt.Trim(), prompt.Trim(), StringComparison.Ordinal));
}
