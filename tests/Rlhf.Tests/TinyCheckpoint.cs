using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;

namespace Rlhf.Tests;

/// <summary>The smallest checkpoint a CLI verb accepts: a random one-layer GPT (width 16, 2 heads) with the course
/// tokenizer, whose embedding has one row per tokenizer id.</summary>
static class TinyCheckpoint
{
    /// <summary>Writes it to <paramref name="folder"/> (weights drawn after seeding torch with <paramref name="seed"/>) and
    /// returns the folder.</summary>
    public static string Save(string folder, int contextLength, int seed)
    {
        TorchRuntime.Init();
        var tokenizerFolder = Repo.Path("data", "tinyworld", "tokenizer");
        var config = new GptConfig
        {
            Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = contextLength,
            VocabularySize = TextTokenizer.Load(tokenizerFolder).VocabularySize,
        };
        torch.manual_seed(seed);
        using var model = new Gpt(config, TorchRuntime.Device);
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        return folder;
    }
}
