using Rlhf.Checkpoints;
using Rlhf.Data;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.World;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// Stage 2 end to end, the one entry point of <c>rlhf rm</c> and notebook 03:
/// <list type="number">
/// <item>copy the SFT model's backbone under a fresh scalar head (std 1/sqrt(C + 1)), dropout off;</item>
/// <item>train it on the pairwise preferences with the Bradley-Terry loss (<see cref="RewardModelStage"/>);</item>
/// <item>round the weights to the stored element type, so every number reported is the shipped model's;</item>
/// <item>score all held-out pairs against labels and the gold order;</item>
/// <item>sample the SFT policy on training prompts and store the mean (and std) of their rewards as the normalisation;</item>
/// <item>write the reward checkpoint (weights, config, tokenizer, <c>reward_normalization.json</c>, <c>history.json</c>).</item>
/// </list>
/// </summary>
public static class RewardModelTraining
{
    /// <summary>Training pairs file inside <see cref="RewardModelOptions.DataFolder"/>.</summary>
    public const string TrainingFile = "preferences_pairwise.jsonl";

    /// <summary>Held-out pairs file inside <see cref="RewardModelOptions.DataFolder"/>.</summary>
    public const string HeldOutFile = "eval_preferences_pairwise.jsonl";

    /// <summary>Training prompts (one per line) the normalisation samples answer.</summary>
    public const string PromptsFile = "rl_prompts.txt";

    /// <summary>Runs the stage (see the class summary); <paramref name="resumeFrom"/> continues from a trainer checkpoint
    /// folder (<c>OutputFolder/checkpoints/step-NNNNNN</c>).</summary>
    public static RewardModelResult Run(RewardModelOptions options, IEnumerable<ITrainingObserver>? observers = null, string? resumeFrom = null)
    {
        options.Validate();
        TorchRuntime.Init();
        Seeding.Seed(options.Training.Seed);
        var (policy, tokenizer) = LoadPolicy(options);
        using var policyScope = policy;
        var config = policy.Config with { Dropout = 0.0 };
        if (options.MaxLength > config.ContextLength)
            throw new ArgumentException($"reward model option 'max_length' ({options.MaxLength}) exceeds the model's context length ({config.ContextLength}).");

        using var model = new ScalarHeadModel(config);
        if (options.InitFrom is not null) model.LoadBackbone(policy);

        var template = new ChatTemplate(tokenizer);
        var (training, heldOut) = LoadPairs(options);
        // The same encoding and collation as DPO's (TokenizedPreferences -> PreferenceBatch).
        var trainingSet = new TokenizedPreferences(training.Records, template, options.MaxLength) { Report = training.Report };
        var heldOutSet = new TokenizedPreferences(heldOut.Records, template, options.MaxLength) { Report = heldOut.Report };
        var (trainingPairs, heldOutPairs) = (trainingSet.Examples.ToList(), heldOutSet.Examples.ToList());
        int truncated = trainingSet.TruncatedPairs + heldOutSet.TruncatedPairs;
        if (options.LinearProbeFirst && resumeFrom is null) LinearProbeHead.Fit(model, trainingPairs, tokenizer.PadId, options.EvalBatchPairs);

        var mix = options.Ptx.Load(Path.Combine(options.DataFolder, World.TinyWorldWriter.CorpusFile), tokenizer);
        var stage = new RewardModelStage(options, model, tokenizer, trainingPairs, heldOutPairs, mix);
        var trainer = new Trainer<PreferenceBatch>(stage, options.Training, options.OutputFolder, observers);
        var trained = trainer.Train(resumeFrom);

        RoundWeights(model, options.StoreAs);
        var evaluation = stage.EvaluateHeldOut();
        var prompts = ReadPrompts(Path.Combine(options.DataFolder, PromptsFile)).Take(options.NormalizationPrompts).ToList();
        var (responses, rawRewards) = SampleRewards(policy, model, tokenizer, prompts, options);
        var normalization = RewardNormalization.FromSamples(rawRewards, options.DivideByStd);
        var samples = prompts.Select((p, i) => new NormalizationSample(p, responses[i], rawRewards[i], normalization.Apply(rawRewards[i]))).ToList();

        RewardNormalizationFile.Write(normalization, options.OutputFolder); // the weights are already there: the stage's final save (RewardModelStage.SaveFinalModel)
        return new RewardModelResult(trained, evaluation, normalization, samples, training.Report, truncated, options.OutputFolder);
    }

    /// <summary>
    /// The training and held-out pairs the stage trains and evaluates on: the files of <see cref="RewardModelOptions.DataFolder"/>,
    /// or, when <see cref="RewardModelOptions.AnnotatorLengthBias"/> is set, the same pairs relabelled by length-biased
    /// annotators (see <see cref="RelabelWithLengthBias"/>).
    /// </summary>
    public static (Loaded<PreferencePair> Training, Loaded<PreferencePair> HeldOut) LoadPairs(RewardModelOptions options)
    {
        var training = DatasetFile.LoadPairs(DatasetFile.Resolve(options.DataFolder, options.TrainFile), options.Format);
        var heldOut = DatasetFile.LoadPairs(DatasetFile.Resolve(options.DataFolder, options.EvalFile), options.Format);
        foreach (var loaded in new[] { training, heldOut })
            if (loaded.Records.Count == 0)
                throw new InvalidDataException($"{loaded.Report.File} holds no preference pairs ({loaded.Report.BlankLines} blank lines)");
        if (options.AnnotatorLengthBias is not { } bias) return (training, heldOut);
        var (biasedTraining, biasedHeldOut) = RelabelWithLengthBias(training.Records, heldOut.Records, bias, training.Report.File, heldOut.Report.File,
            WorldFolder.ReadOptions(options.DataFolder));
        return (training with { Records = biasedTraining }, heldOut with { Records = biasedHeldOut });
    }

    /// <summary>
    /// The pairs of the world <paramref name="world"/> describes (<see cref="WorldFolder.ReadOptions"/> of their folder) labelled by
    /// annotators with <see cref="AnnotatorOptions.LengthBias"/> = <paramref name="lengthBias"/> (the world's annotator otherwise),
    /// in the order of <paramref name="training"/> and <paramref name="heldOut"/> (the folder's files). Every regenerated pair must
    /// hold the same prompt and the same two responses as the file's pair at that line, in either order; otherwise the files are
    /// not that world's and this throws.
    /// </summary>
    /// <exception cref="InvalidDataException">A pair differs (the message names the file and line).</exception>
    public static (IReadOnlyList<PreferencePair> Training, IReadOnlyList<PreferencePair> HeldOut) RelabelWithLengthBias(
        IReadOnlyList<PreferencePair> training, IReadOnlyList<PreferencePair> heldOut, double lengthBias, string trainingPath, string heldOutPath,
        TinyWorldOptions world)
    {
        var (biasedTraining, biasedHeldOut) = TinyWorldGenerator.Preferences(world with { Annotator = world.Annotator with { LengthBias = lengthBias } });
        // Ranked -> pairs can drop tied ranks, but the annotator's Gumbel ranking never ties, so the counts match.
        CheckSamePairs(training, biasedTraining, trainingPath);
        CheckSamePairs(heldOut, biasedHeldOut, heldOutPath);
        return (biasedTraining, biasedHeldOut);
    }

    static void CheckSamePairs(IReadOnlyList<PreferencePair> file, IReadOnlyList<PreferencePair> regenerated, string path)
    {
        if (file.Count != regenerated.Count)
            throw new InvalidDataException($"{path}: {file.Count} pairs, but the world of its folder (world.json, or the default world) has {regenerated.Count}; 'annotator_length_bias' relabels only the pairs of the world the folder describes (train_file is one of the world's own files)");
        // A ranking's pairs are listed best-first, so relabelling reorders them inside each prompt's block of consecutive pairs:
        // compare each block as a set of unordered pairs.
        static string Key(PreferencePair p) => string.CompareOrdinal(p.Chosen, p.Rejected) < 0
            ? $"{p.Prompt}\u0000{p.Chosen}\u0000{p.Rejected}" : $"{p.Prompt}\u0000{p.Rejected}\u0000{p.Chosen}";
        for (int start = 0; start < file.Count;)
        {
            int end = start + 1;
            while (end < file.Count && file[end].Prompt == file[start].Prompt) end++;
            var expected = file.Skip(start).Take(end - start).Select(Key).Order(StringComparer.Ordinal);
            var actual = regenerated.Skip(start).Take(end - start).Select(Key).Order(StringComparer.Ordinal);
            if (!expected.SequenceEqual(actual))
                throw new InvalidDataException($"{path} line {start + 1}: the pairs of this prompt differ from those of the world its folder describes (world.json, or the default world); 'annotator_length_bias' relabels only the pairs of that world");
            start = end;
        }
    }

    /// <summary>
    /// Raw rewards of <paramref name="policy"/>'s responses to <paramref name="prompts"/>: each prompt is encoded through the
    /// chat template, answered (one sample, the options' temperature and token limit, seeded by the training seed), and
    /// the whole left-padded prompt + response sequence is scored at its last real token, exactly as PPO will score it.
    /// </summary>
    public static (IReadOnlyList<string> Responses, IReadOnlyList<double> RawRewards) SampleRewards(
        ICausalLanguageModel policy, ScalarHeadModel rewardNetwork, TextTokenizer tokenizer, IReadOnlyList<string> prompts, RewardModelOptions options)
    {
        var template = new ChatTemplate(tokenizer);
        int maxPrompt = policy.ContextLength - options.NormalizationMaxNewTokens;
        var generation = new GenerationOptions
        {
            MaxNewTokens = options.NormalizationMaxNewTokens, Seed = options.Training.Seed,
            Sampling = new SamplingOptions { Temperature = options.NormalizationTemperature },
        };
        var responses = new List<string>(prompts.Count);
        var rewards = new List<double>(prompts.Count);
        var engine = new GenerationEngine(policy);
        using var random = new Generator((ulong)options.Training.Seed, policy.Device);
        bool wasTraining = rewardNetwork.training;
        rewardNetwork.eval();
        try
        {
            foreach (var chunk in prompts.Chunk(options.EvalBatchPairs))
            {
                using var scope = NewDisposeScope();
                var ids = chunk.Select(p => (IReadOnlyList<int>)template.EncodePrompt(p, maxPrompt).InputIds).ToList();
                using var result = engine.Generate(ids, generation, tokenizer.EndOfTextId, tokenizer.PadId, random);
                using var noGrad = no_grad();
                var scores = rewardNetwork.LastTokenValues(result.SequenceIds(), result.SequenceMask()); // (B)
                rewards.AddRange(scores.cpu().to(ScalarType.Float64).data<double>().ToArray());
                responses.AddRange(result.Sequences().Select(s => tokenizer.Decode(s.GeneratedIds, skipSpecialTokens: true).Trim()));
            }
        }
        finally
        {
            if (wasTraining) rewardNetwork.train();
        }
        return (responses, rewards);
    }

    /// <summary>The non-blank lines of a prompts file.</summary>
    public static IReadOnlyList<string> ReadPrompts(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"prompts file not found: {path}", path);
        var prompts = Data.Utf8Lines.Read(path).Select(l => l.Line).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim()).ToList();
        return prompts.Count > 0 ? prompts : throw new InvalidDataException($"{path} has no prompts");
    }

    static (Gpt Policy, TextTokenizer Tokenizer) LoadPolicy(RewardModelOptions options)
    {
        if (options.InitFrom is { } folder)
        {
            if (!Directory.Exists(folder))
                throw new DirectoryNotFoundException($"reward model option 'init_from': checkpoint folder {folder} does not exist (train it with `rlhf sft`, or use the shipped data/checkpoints/sft)");
            return (Checkpoint.LoadGpt(folder), TextTokenizer.Load(folder));
        }
        var tokenizer = TextTokenizer.Load(Path.Combine(options.DataFolder, "tokenizer"));
        // Exactly the tokenizer's ids, so the random policy's samples decode.
        return (new Gpt(options.RandomModel with { Dropout = 0.0, VocabularySize = tokenizer.VocabularySize, PadTokenId = tokenizer.PadId }), tokenizer);
    }

    /// <summary>Rounds every weight through <paramref name="storeAs"/> and back, so the model in memory equals the one saved.</summary>
    static void RoundWeights(nn.Module model, ScalarType storeAs)
    {
        using var noGrad = no_grad();
        foreach (var parameter in model.parameters())
        {
            using var rounded = parameter.to(storeAs).to(parameter.dtype);
            parameter.copy_(rounded);
        }
    }
}
