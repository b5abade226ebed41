using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;

namespace Rlhf.Tests.Models;

/// <summary>Small configs and seeded models for fast tests.</summary>
static class TinyModels
{
    public static GptConfig Config { get; } = new()
    {
        Layers = 2, Heads = 2, EmbeddingSize = 16, ContextLength = 32, VocabularySize = 50, Dropout = 0.0,
    };

    public static Gpt Gpt(GptConfig? config = null, int seed = 1)
    {
        TorchRuntime.Init();
        torch.manual_seed(seed);
        var model = new Gpt(config ?? Config);
        model.eval();
        return model;
    }

    public static torch.Tensor Ids(params long[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length).to(TorchRuntime.Device);
}
