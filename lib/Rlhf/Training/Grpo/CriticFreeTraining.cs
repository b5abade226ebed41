using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.World;

namespace Rlhf.Training;

/// <summary>What a GRPO or RLOO run returns.</summary>
/// <param name="History">Every step's metrics (TRL names, plus gold/score).</param>
/// <param name="Final">The last step's reward, completion and gold metrics.</param>
/// <param name="OutputFolder">Where the policy checkpoint and history.json were written, or null.</param>
public sealed record CriticFreeResult(MetricsHistory History, IReadOnlyDictionary<string, double> Final, string? OutputFolder);

/// <summary>
/// GRPO and RLOO end to end, what <c>rlhf grpo</c>, <c>rlhf rloo</c> and notebook 08 call: loads the SFT checkpoint (and,
/// when beta is positive, a frozen copy as the reference), the reward functions (the reward model; the verifiable
/// checkers, told the held-out prompts so that they refuse them), the training prompts through the chat template,
/// trains with <see cref="CriticFreeTrainer"/> (the gold judge logged, never trained on) and writes the policy checkpoint.
/// </summary>
public static class CriticFreeTraining
{
    /// <summary>Runs <paramref name="options"/> (GRPO or RLOO), reporting every step to <paramref name="observers"/>.</summary>
    public static CriticFreeResult Run(CriticFreeOptions options, IEnumerable<ITrainingObserver>? observers = null)
    {
        options.Validated();
        Torch.TorchRuntime.Init();
        Torch.Seeding.Seed(options.Training.Seed);
        var tokenizer = TextTokenizer.Load(options.InputCheckpoint);
        var template = new ChatTemplate(tokenizer);
        var owned = new List<IDisposable>();
        try
        {
            var policy = Checkpoint.LoadGpt(options.InputCheckpoint);
            owned.Add(policy);
            Gpt? reference = null;
            if (options.Beta > 0)
            {
                reference = Checkpoint.LoadGpt(options.InputCheckpoint);
                owned.Add(reference);
            }
            var rewards = new List<IRewardFunction>();
            foreach (var name in options.RewardFuncs)
            {
                if (name == "reward_model")
                {
                    var rewardModel = RewardModel.Load(options.RewardCheckpoint);
                    owned.Add(rewardModel);
                    rewardModel.Model.eval();
                    foreach (var p in rewardModel.Model.parameters()) p.requires_grad = false;
                    rewards.Add(new RewardModelReward(new RewardModelScorer(rewardModel)));
                }
                else
                    rewards.Add(new VerifiableReward(HeldOutPrompts(options.DataFolder)));
            }
            var promptsFile = Path.Combine(options.DataFolder, PpoTraining.PromptsFile);
            var prompts = PpoTraining.LoadPrompts(promptsFile, template, policy.ContextLength - options.MaxCompletionLength);
            if (options.PromptKinds.Count > 0)
            {
                prompts = prompts.Where(p => WorldPrompts.Parse(p.Text) is { } parsed && options.PromptKinds.Contains(parsed.Task.Kind)).ToList();
                if (prompts.Count == 0)
                    throw new InvalidDataException($"{promptsFile}: no prompt of the families {string.Join(", ", options.PromptKinds)} (prompt_kinds)");
            }
            static double Gold(string prompt, string completion) =>
                GoldJudge.CanScore(prompt) ? GoldJudge.Score(prompt, completion.Trim()).Score : double.NaN;
            using var trainer = new CriticFreeTrainer(options, policy, reference, rewards, prompts, tokenizer.EndOfTextId, tokenizer.PadId,
                ids => tokenizer.Decode(ids, skipSpecialTokens: true), Gold);
            void Save(string folder) => Checkpoint.Save(folder, policy, policy.Config, options.InputCheckpoint,
                new Dictionary<string, string> { ["stage"] = options.StageName, ["options"] = OptionsBinder.ToJson((object)options) });
            var result = trainer.Train(observers, options.OutputFolder, Save, options.ResumeFrom);
            return new CriticFreeResult(result.History, result.FinalEvaluation, options.OutputFolder);
        }
        finally
        {
            foreach (var item in owned) item.Dispose();
        }
    }

    /// <summary>The data folder's held-out prompts (<c>eval_prompts.txt</c>), or none when the folder has no such file.</summary>
    public static IReadOnlyList<string> HeldOutPrompts(string dataFolder)
    {
        var path = Path.Combine(dataFolder, "eval_prompts.txt");
        return File.Exists(path) ? Data.Utf8Lines.Read(path).Select(l => l.Line).Where(l => l.Length > 0).ToList() : [];
    }
}
