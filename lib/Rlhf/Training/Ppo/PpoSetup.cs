using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.World;

namespace Rlhf.Training;

/// <summary>
/// Everything a PPO run holds, loaded from <see cref="PpoOptions"/>: the SFT checkpoint twice (trainable policy, frozen
/// reference), the reward model or ensemble (frozen scorer), a critic initialised from the reward model (its head rescaled to the normalised scores), the rollout prompts through
/// the chat template, and the <see cref="PpoTrainer"/> over them, with the gold judge logged as <c>gold/score</c>.
/// <see cref="PpoTraining.Run"/> and <c>rlhf bench</c> build it the same way. Disposing frees the models.
/// </summary>
public sealed class PpoSetup : IDisposable
{
    readonly Gpt reference;
    readonly List<RewardModel> rewardModels = [];
    readonly ScalarHeadModel critic;

    /// <summary>Loads the models and prompts <paramref name="options"/> names (validated here) and seeds torch with its seed.
    /// <paramref name="pretraining"/> (from <see cref="PpoTraining.LoadPretraining"/>) saves re-reading the corpus when several
    /// runs need it; when null and the options need it (ptx term, forgetting metric), it is loaded here.</summary>
    public PpoSetup(PpoOptions options, PretrainingText? pretraining = null)
    {
        Options = options.Validate();
        Torch.TorchRuntime.Init();
        Torch.Seeding.Seed(options.Seed);
        Tokenizer = TextTokenizer.Load(options.InputCheckpoint);
        var template = new ChatTemplate(Tokenizer);
        var loaded = new List<IDisposable>();
        try
        {
            Policy = Checkpoint.LoadGpt(options.InputCheckpoint);
            loaded.Add(Policy);
            reference = Checkpoint.LoadGpt(options.InputCheckpoint);
            loaded.Add(reference);
            foreach (var folder in new[] { options.RewardCheckpoint }.Concat(options.RewardEnsemble))
            {
                var rewardModel = RewardModel.Load(folder);
                loaded.Add(rewardModel);
                rewardModels.Add(rewardModel);
                rewardModel.Model.eval();
                foreach (var p in rewardModel.Model.parameters()) p.requires_grad = false;
            }
            IRewardScorer scorer = rewardModels.Count == 1
                ? new RewardModelScorer(rewardModels[0])
                : new RewardEnsemble(rewardModels.Select(m => (IRewardScorer)new RewardModelScorer(m)).ToList(), options.EnsembleAggregation);
            if (options.UsesPretraining) pretraining ??= PpoTraining.LoadPretraining(options, Tokenizer);
            critic = new ScalarHeadModel(Checkpoint.ReadConfig(options.RewardCheckpoint));
            loaded.Add(critic);
            Checkpoint.LoadInto(options.RewardCheckpoint, critic);
            critic.NormalizeHead(rewardModels[0].Normalization); // the critic predicts returns of normalised scores

            var prompts = Prompts = PpoTraining.LoadPrompts(Path.Combine(options.DataFolder, PpoTraining.PromptsFile), template,
                Policy.ContextLength - options.ResponseLength);
            var tokenizer = Tokenizer;
            // The gold judge knows TinyWorld's prompts only; a user's own prompts get NaN and are left out of gold/score
            // (evaluate such a policy with the reward model's score and the KL, docs/scale.md).
            double Gold(string prompt, int[] response) =>
                GoldJudge.CanScore(prompt) ? GoldJudge.Score(prompt, tokenizer.Decode(response, skipSpecialTokens: true)).Score : double.NaN;
            Trainer = new PpoTrainer(options, Policy, reference, critic, scorer, prompts,
                Tokenizer.EndOfTextId, Tokenizer.PadId, Gold, pretraining);
        }
        catch
        {
            foreach (var item in loaded) item.Dispose();
            throw;
        }
    }

    /// <summary>The validated options.</summary>
    public PpoOptions Options { get; }

    /// <summary>The policy's tokenizer (the SFT checkpoint's).</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>The rollout prompts (<c>rl_prompts.txt</c> of the data folder through the chat template).</summary>
    public IReadOnlyList<PpoPrompt> Prompts { get; }

    /// <summary>The policy being trained.</summary>
    public Gpt Policy { get; }

    /// <summary>The value model PPO trains beside the policy (initialised from the reward model).</summary>
    public ScalarHeadModel Critic => critic;

    /// <summary>The trainer over policy, reference, critic and reward model.</summary>
    public PpoTrainer Trainer { get; }

    /// <summary>Frees the trainer's optimizer and every model.</summary>
    public void Dispose()
    {
        Trainer.Dispose();
        critic.Dispose();
        foreach (var rewardModel in rewardModels) rewardModel.Dispose();
        reference.Dispose();
        Policy.Dispose();
    }
}
