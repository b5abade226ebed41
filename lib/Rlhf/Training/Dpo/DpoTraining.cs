using Rlhf.Checkpoints;
using Rlhf.Data;
using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;

namespace Rlhf.Training;

/// <summary>What a DPO run returns: the loop's result, the trained policy (in memory, the caller disposes it) and the data it saw.</summary>
/// <param name="Training">Steps, history and final evaluation of the shared loop.</param>
/// <param name="Policy">The trained policy (also written to <see cref="DpoOptions.OutputFolder"/>).</param>
/// <param name="TrainPairs">Training pairs used.</param>
/// <param name="EvalPairs">Held-out pairs evaluated.</param>
/// <param name="TruncatedPairs">Pairs (training and held-out) with a sequence cut to the model's context.</param>
/// <param name="Options">The options the run used.</param>
/// <param name="TrainingData">The load report of the training file (identical chosen/rejected pairs are counted there).</param>
public sealed record DpoResult(TrainingResult Training, Gpt Policy, int TrainPairs, int EvalPairs, int TruncatedPairs, DpoOptions Options,
    LoadReport? TrainingData = null) : IDisposable
{
    /// <summary>Frees the policy.</summary>
    public void Dispose() => Policy.Dispose();
}

/// <summary>The one entry point of the DPO stage: <c>rlhf dpo</c> and notebook 05 both call <see cref="Run"/>.</summary>
public static class DpoTraining
{
    /// <summary>The file, beside the trained policy, that records the options of the run.</summary>
    public const string OptionsFile = "dpo_options.json";

    /// <summary>
    /// Loads the policy and a frozen reference from <see cref="DpoOptions.InputCheckpoint"/>, tokenizes the preference
    /// pairs, trains with the shared loop and writes the policy, its history and the options to
    /// <see cref="DpoOptions.OutputFolder"/>.
    /// </summary>
    public static DpoResult Run(DpoOptions options, IEnumerable<ITrainingObserver>? observers = null)
    {
        options.Validate();
        TorchRuntime.Init();
        Seeding.Seed(options.Training.Seed);
        var tokenizer = TextTokenizer.Load(options.InputCheckpoint);
        var template = new ChatTemplate(tokenizer);
        var policy = LoadPolicy(options.InputCheckpoint);
        try
        {
            var train = Tokenize(DatasetFile.Resolve(options.DataFolder, options.TrainFile), options.MaxTrainPairs, template, policy.ContextLength, options.Format);
            var eval = Tokenize(DatasetFile.Resolve(options.DataFolder, options.EvalFile), options.EvalPairs, template, policy.ContextLength, options.Format);
            var gold = GoldEvaluator(options, tokenizer);
            var mix = options.Ptx.Load(Path.Combine(options.DataFolder, World.TinyWorldWriter.CorpusFile), tokenizer);
            using var stage = new DpoStage(options, policy, DpoStage.FrozenCopy(policy), train, eval, options.InputCheckpoint,
                gold, gold?.LoadPrompts(), mix);
            var trainer = new Trainer<DpoBatch>(stage, options.Training, options.OutputFolder, observers);
            var result = trainer.Train(options.ResumeFrom);
            File.WriteAllText(Path.Combine(options.OutputFolder, OptionsFile), OptionsBinder.ToJson(options) + "\n");
            return new DpoResult(result, policy, train.Count, eval.Count, train.TruncatedPairs + eval.TruncatedPairs, options, train.Report);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>Greedy answers to the first <see cref="DpoOptions.GoldPromptsPerKind"/> held-out prompts of each task kind
    /// (<c>eval_prompts.txt</c> in the data folder), or null when that is 0.</summary>
    public static PolicyEvaluator? GoldEvaluator(DpoOptions options, TextTokenizer tokenizer) =>
        options.GoldPromptsPerKind == 0 ? null : new PolicyEvaluator(tokenizer, PolicyEvaluationOptions.Greedy with
        {
            PromptsFile = Path.Combine(options.DataFolder, "eval_prompts.txt"), MaxPromptsPerKind = options.GoldPromptsPerKind,
        });

    /// <summary>The starting policy, with dropout off whatever the checkpoint's config says: with dropout the policy's
    /// log-probs would be noisy and differ from the reference's even at step 0 (TRL disables it for DPO too).</summary>
    public static Gpt LoadPolicy(string checkpointFolder)
    {
        var model = new Gpt(Checkpoint.ReadConfig(checkpointFolder) with { Dropout = 0 }, TorchRuntime.Device);
        try
        {
            Checkpoint.LoadInto(checkpointFolder, model);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads <paramref name="limit"/> pairs of <paramref name="path"/> (0 = all) through the chat template. A limited
    /// selection is spread evenly over the file (pairs i * count / limit), not its first lines: the files hold the pairs of
    /// one prompt together, so the first lines would cover only a few prompts and task kinds.</summary>
    public static TokenizedPreferences Tokenize(string path, int limit, ChatTemplate template, int maxLength, DatasetFormat format = DatasetFormat.Auto)
    {
        var loaded = DatasetFile.LoadPairs(path, format);
        var pairs = loaded.Records;
        if (pairs.Count == 0) throw new InvalidDataException($"'{path}' holds no preference pairs");
        var selected = limit > 0 && limit < pairs.Count
            ? Enumerable.Range(0, limit).Select(i => pairs[(int)((long)i * pairs.Count / limit)]).ToList()
            : pairs;
        return new TokenizedPreferences(selected, template, maxLength) { Report = loaded.Report };
    }
}
