using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.World;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>What a PPO run returns.</summary>
/// <param name="History">Every iteration's metrics (TRL names, plus gold/score).</param>
/// <param name="Final">The last iteration's objective/*, response/* and gold/* metrics.</param>
/// <param name="OutputFolder">Where the final policy checkpoint and history.json were written, or null.</param>
public sealed record PpoResult(MetricsHistory History, IReadOnlyDictionary<string, double> Final, string? OutputFolder);

/// <summary>
/// The PPO stage end to end, what both <c>rlhf ppo</c> and notebook 04 call: loads the SFT checkpoint twice (trainable
/// policy, frozen reference), the reward model (frozen scorer) and a critic initialised from the reward model, encodes
/// the rollout prompts through the chat template, trains with <see cref="PpoTrainer"/>, logs the gold judge's score of
/// every rollout (never used for training), and writes the policy checkpoint. With <see cref="PpoOptions.RewardEnsemble"/>
/// the reward is a <see cref="RewardEnsemble"/> of all the reward checkpoints; with ptx or the forgetting metric on, the
/// data folder's <c>corpus.jsonl</c> is read as <see cref="PretrainingText"/>.
/// </summary>
public static class PpoTraining
{
    /// <summary>The file of rollout prompts inside <see cref="PpoOptions.DataFolder"/>.</summary>
    public const string PromptsFile = "rl_prompts.txt";

    /// <summary>The pretraining corpus inside <see cref="PpoOptions.DataFolder"/> (ptx term and forgetting metric).</summary>
    public const string CorpusFile = World.TinyWorldWriter.CorpusFile;

    /// <summary>Runs PPO with <paramref name="options"/>, reporting every iteration to <paramref name="observers"/>.
    /// <paramref name="pretraining"/> (from <see cref="LoadPretraining"/>) saves re-reading the corpus when several runs
    /// need it; when null and the options need it, it is loaded here.</summary>
    public static PpoResult Run(PpoOptions options, IEnumerable<ITrainingObserver>? observers = null, PretrainingText? pretraining = null)
    {
        using var setup = new PpoSetup(options, pretraining);
        var policy = setup.Policy;
        void Save(string folder) => Checkpoint.Save(folder, policy, policy.Config, options.InputCheckpoint,
            new Dictionary<string, string> { ["stage"] = "ppo", ["objective"] = options.ObjectiveName, ["options"] = OptionsBinder.ToJson(options) });
        var result = setup.Trainer.Train(observers, options.OutputFolder, Save, options.ResumeFrom);
        return new PpoResult(result.History, result.FinalEvaluation, options.OutputFolder);
    }

    /// <summary>The data folder's pretraining corpus, tokenised with <paramref name="tokenizer"/> and split as
    /// <c>ptx.eval_fraction</c> says.</summary>
    public static PretrainingText LoadPretraining(PpoOptions options, TextTokenizer tokenizer) =>
        PretrainingText.Load(Path.Combine(options.DataFolder, CorpusFile), tokenizer, options.Ptx.EvalFraction);

    /// <summary>Reads one prompt per line and encodes each as a generation prompt of at most <paramref name="maxLength"/> tokens.</summary>
    /// <exception cref="InvalidDataException">The file has an empty line or no prompts (the message names the file and line).</exception>
    public static IReadOnlyList<PpoPrompt> LoadPrompts(string path, ChatTemplate template, int maxLength)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"rollout prompts file {path} does not exist", path);
        var lines = Data.Utf8Lines.Read(path).Select(l => l.Line).ToArray();
        var prompts = new List<PpoPrompt>(lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                if (i == lines.Length - 1) continue;
                throw new InvalidDataException($"{path} line {i + 1}: empty prompt");
            }
            prompts.Add(new PpoPrompt(lines[i], template.EncodePrompt(lines[i], maxLength).InputIds));
        }
        if (prompts.Count == 0) throw new InvalidDataException($"{path}: no prompts");
        return prompts;
    }
}
