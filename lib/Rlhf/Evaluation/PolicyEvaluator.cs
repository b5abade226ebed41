using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.World;
using TorchSharp;

namespace Rlhf.Evaluation;

/// <summary>
/// Measures any policy (base, SFT, PPO, DPO: anything that gives next-token logits) on held-out TinyWorld prompts:
/// each prompt goes through the chat template (<see cref="ChatTemplate.EncodePrompt"/>), the policy answers through the
/// <see cref="GenerationEngine"/> in left-padded batches, and the <see cref="GoldJudge"/> scores every answer.
/// The aggregates are <see cref="PolicyMetrics.From"/> of the judged samples.
/// </summary>
/// <remarks>
/// A response is everything generated up to end-of-text or the token limit, nothing cut off: a model that keeps
/// talking after its answer (a new <c>### Human:</c> turn, say) is judged on all of it, as a user would read it.
/// </remarks>
public sealed class PolicyEvaluator
{
    readonly ChatTemplate template;

    /// <summary>An evaluator encoding with <paramref name="tokenizer"/> (the policy's own) and sampling as <paramref name="options"/> say
    /// (default <see cref="PolicyEvaluationOptions.Greedy"/>).</summary>
    public PolicyEvaluator(TextTokenizer tokenizer, PolicyEvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        template = new ChatTemplate(tokenizer);
        Options = (options ?? PolicyEvaluationOptions.Greedy).Validate();
    }

    /// <summary>The settings every evaluation of this evaluator uses.</summary>
    public PolicyEvaluationOptions Options { get; }

    /// <summary>The tokenizer prompts are encoded and responses decoded with.</summary>
    public TextTokenizer Tokenizer => template.Tokenizer;

    /// <summary>Reads the prompts of <see cref="PolicyEvaluationOptions.PromptsFile"/> (one per line, blank lines skipped and
    /// every line checked to be one the gold judge can score), keeping the first <see cref="PolicyEvaluationOptions.MaxPromptsPerKind"/>
    /// of each task kind when that is set.</summary>
    /// <exception cref="InvalidDataException">A line is not a TinyWorld prompt (the message names file and line).</exception>
    public IReadOnlyList<string> LoadPrompts()
    {
        var path = Options.PromptsFile;
        if (!File.Exists(path)) throw new FileNotFoundException($"prompts file '{path}' not found (run from the repository root or set prompts_file)", path);
        var prompts = new List<(string Prompt, TaskKind Kind)>();
        var lines = Data.Utf8Lines.Read(path).Select(l => l.Line).ToArray();
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var parsed = WorldPrompts.Parse(lines[i])
                ?? throw new InvalidDataException($"{path}, line {i + 1}: not a TinyWorld prompt, so the gold judge cannot score it: \"{lines[i]}\"");
            prompts.Add((lines[i], parsed.Task.Kind));
        }
        if (prompts.Count == 0) throw new InvalidDataException($"{path}: no prompts");
        var perKind = new Dictionary<TaskKind, int>();
        return prompts.Where(p =>
        {
            perKind[p.Kind] = perKind.GetValueOrDefault(p.Kind) + 1;
            return Options.MaxPromptsPerKind == 0 || perKind[p.Kind] <= Options.MaxPromptsPerKind;
        }).Select(p => p.Prompt).ToList();
    }

    /// <summary>Evaluates <paramref name="policy"/> on the prompts of <see cref="LoadPrompts"/>.</summary>
    public PolicyEvaluation Evaluate(string name, ICausalLanguageModel policy) => Evaluate(name, policy, LoadPrompts());

    /// <summary>
    /// Generates a response to every prompt in <paramref name="prompts"/> (TinyWorld prompts, without the chat template)
    /// with <paramref name="policy"/> and judges it. Prompts longer than the context minus the new tokens are cut from
    /// the left and counted in <see cref="PolicyMetrics.TruncatedPrompts"/>. Sampling (when not greedy) draws from one
    /// generator seeded with <see cref="GenerationOptions.Seed"/>, so the same settings give the same responses.
    /// </summary>
    public PolicyEvaluation Evaluate(string name, ICausalLanguageModel policy, IReadOnlyList<string> prompts) =>
        Evaluate(name, policy, prompts, reference: null, rewardModel: null);

    /// <summary>
    /// As <see cref="Evaluate(string, ICausalLanguageModel, IReadOnlyList{string})"/>, and on the same responses: with a
    /// <paramref name="reference"/>, each response's KL(policy || reference) (<see cref="KlToReference.PerSequence"/>, at the
    /// sampling temperature; it needs sampling without top-k / top-p, since a Monte-Carlo KL must draw from the policy
    /// itself); with a <paramref name="rewardModel"/>, each response's normalised reward-model score, read from the generated ids (as PPO
    /// scores its rollouts; the reward model must share the policy's tokenizer).
    /// </summary>
    /// <exception cref="ArgumentException">A reference is given but the options decode greedily or truncate the distribution.</exception>
    public PolicyEvaluation Evaluate(string name, ICausalLanguageModel policy, IReadOnlyList<string> prompts,
        ICausalLanguageModel? reference, RewardModel? rewardModel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("no prompts to evaluate on", nameof(prompts));
        var generation = Options.Generation;
        int room = policy.ContextLength - generation.MaxNewTokens;
        if (room < template.TemplateLength)
            throw new ArgumentException(
                $"the policy's context of {policy.ContextLength} tokens minus {generation.MaxNewTokens} new tokens leaves {room}, fewer than the chat template's {template.TemplateLength}; lower max_new_tokens.");
        var sampling = generation.Sampling;
        if (reference is not null && (sampling.IsGreedy || sampling.TopK != 0 || sampling.TopP < 1))
            throw new ArgumentException(
                $"KL to the reference is a Monte-Carlo estimate over responses sampled from the policy itself; these settings ({Options.Describe()}) do not: use temperature sampling without top-k or top-p (e.g. PolicyEvaluationOptions.TemperatureOne).",
                nameof(reference));
        if (rewardModel is not null && (rewardModel.Tokenizer.VocabularySize != Tokenizer.VocabularySize || rewardModel.Tokenizer.EndOfTextId != Tokenizer.EndOfTextId))
            throw new ArgumentException("the reward model's tokenizer is not the policy's: it scores the generated ids, so both must share one vocabulary", nameof(rewardModel));
        foreach (var prompt in prompts)
            if (!GoldJudge.CanScore(prompt)) throw new ArgumentException($"not a TinyWorld prompt, so the gold judge cannot score it: \"{prompt}\"", nameof(prompts));

        var samples = new List<PolicySample>(prompts.Count);
        using var noGrad = torch.no_grad();
        using var random = new torch.Generator((ulong)generation.Seed, policy.Device);
        var engine = new GenerationEngine(policy);
        for (int start = 0; start < prompts.Count; start += Options.BatchSize)
        {
            var batch = prompts.Skip(start).Take(Options.BatchSize).ToList();
            var encoded = batch.Select(p => template.EncodePrompt(p, room)).ToList();
            using var result = engine.Generate(encoded.Select(e => (IReadOnlyList<int>)e.InputIds).ToList(), generation,
                Tokenizer.EndOfTextId, Tokenizer.PadId, random);
            var sequences = result.Sequences();
            double[]? kl = null;
            if (reference is not null)
            {
                using var scope = torch.NewDisposeScope();
                kl = KlToReference.PerSequence(policy, reference, result.SequenceIds(), result.SequenceMask(), (int)result.PromptIds.shape[1],
                    result.ResponseMask, sampling.Temperature).cpu().to(torch.ScalarType.Float64).data<double>().ToArray(); // (B)
            }
            var judged = batch.Select((prompt, i) => Judge(prompt, sequences[i], encoded[i].Truncation.Truncated) with { KlToReference = kl?[i] }).ToList();
            if (rewardModel is not null)
            {
                // The generated ids themselves, as PPO scores its rollouts: decoding and re-encoding through the chat template
                // would add a space token after "### Assistant:" that the policy never wrote.
                using var scope = torch.NewDisposeScope();
                var scores = rewardModel.Score(result.SequenceIds().to(rewardModel.Device), result.SequenceMask().to(rewardModel.Device))
                    .cpu().to(torch.ScalarType.Float64).data<double>().ToArray(); // (B)
                judged = judged.Select((j, i) => j with { RewardScore = scores[i] }).ToList();
            }
            samples.AddRange(judged);
        }
        return PolicyEvaluation.FromSamples(name, Options.Describe(), samples);
    }

    /// <summary>Decodes one generated sequence and asks the gold judge.</summary>
    PolicySample Judge(string prompt, GeneratedSequence sequence, bool promptTruncated)
    {
        var ids = sequence.GeneratedIds.Where(id => id != Tokenizer.EndOfTextId).ToArray();
        var response = Tokenizer.Decode(ids, skipSpecialTokens: true);
        var judged = GoldJudge.Score(prompt, response);
        return new PolicySample(prompt, response, judged.Task.Kind, judged.Verdict, judged.Score, ids.Length, sequence.EndedWithEndOfText, ids, promptTruncated);
    }
}
