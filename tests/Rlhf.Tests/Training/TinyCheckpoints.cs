using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;

namespace Rlhf.Tests.Training;

/// <summary>A temporary folder with a tiny SFT checkpoint and a tiny reward model, both on the course tokenizer (seeded
/// weights): what the RL stage tests (PPO, GRPO, RLOO) start from, on the real TinyWorld prompts. Disposing deletes it.</summary>
sealed class TinyCheckpoints : IDisposable
{
    /// <summary>The temporary folder.</summary>
    public string Root { get; }

    /// <summary>The SFT checkpoint folder.</summary>
    public string Sft { get; }

    /// <summary>The reward-model folder.</summary>
    public string RewardModel { get; }

    public TinyCheckpoints(string prefix)
    {
        TorchRuntime.Init();
        Root = Directory.CreateTempSubdirectory(prefix).FullName;
        var tokenizerFolder = Repo.Path("data", "tinyworld", "tokenizer");
        var tokenizer = TextTokenizer.Load(tokenizerFolder);
        var config = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = 96, VocabularySize = tokenizer.VocabularySize };
        Sft = Path.Combine(Root, "sft");
        RewardModel = Path.Combine(Root, "rm");
        torch.manual_seed(4);
        using var policy = new Gpt(config);
        Checkpoint.Save(Sft, policy, config, tokenizerFolder);
        using var reward = new Rlhf.Checkpoints.RewardModel(new ScalarHeadModel(config), new RewardNormalization(0.5, 2.0), tokenizer);
        reward.Save(RewardModel);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
