using Rlhf.Checkpoints;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Models;

/// <summary>The pad token is out of every softmax: never sampled, no probability mass taken from real tokens.</summary>
public sealed class PadTokenTests
{
    const int Pad = 49, EndOfText = 48;

    /// <summary>A tiny model whose pad row is made the most likely token everywhere (as an added, untrained row can be).</summary>
    static Gpt ModelPreferringPad(int? padTokenId)
    {
        var model = TinyModels.Gpt(TinyModels.Config with { PadTokenId = padTokenId }, seed: 7);
        using var noGrad = no_grad();
        var embedding = model.named_parameters().First(p => p.name == "wte.weight").parameter; // (V, C), tied to the head
        var padRow = embedding.select(0, Pad);
        padRow.copy_((embedding.mean(new long[] { 0 }) + 3 * embedding.std(new long[] { 0 })) * 4);
        return model;
    }

    [Fact]
    public void Without_a_pad_id_the_model_would_sample_the_pad_so_the_test_below_can_fail()
    {
        using var model = ModelPreferringPad(padTokenId: null);
        using var logits = model.forward(TinyModels.Ids([1, 2, 3]));
        Assert.Equal(Pad, logits[0, -1].argmax().item<long>());
    }

    [Fact]
    public void The_pad_is_never_sampled_and_log_probs_of_real_tokens_sum_to_one()
    {
        using var model = ModelPreferringPad(Pad);
        var engine = new GenerationEngine(model);
        var prompts = Enumerable.Range(0, 30).Select(i => (IReadOnlyList<int>)new[] { i % 40, (i * 7) % 40 }).ToList();
        using var result = engine.Generate(prompts,
            new GenerationOptions { MaxNewTokens = 20, Sampling = new SamplingOptions { Temperature = 5 }, Seed = 3 }, EndOfText, Pad);

        // Pad may stand only where the response mask is 0 (the engine's filler after a row ended), never as a sampled token.
        using var sampledPads = result.ResponseIds.eq(Pad).logical_and(result.ResponseMask.to(ScalarType.Bool));
        Assert.Equal(0, sampledPads.sum().item<long>());
        Assert.True(result.ResponseMask.sum().item<long>() > 300, "too few sampled tokens for the check to mean anything");

        using var logits = model.forward(TinyModels.Ids([1, 2, 3]));
        using var logProbs = logits.log_softmax(-1); // (1, 3, V)
        Assert.Equal(0.0, logProbs.select(-1, Pad).exp().max().item<float>());
        var realTokens = logProbs.index_select(-1, arange(0, Pad, dtype: ScalarType.Int64, device: logProbs.device)).exp().sum(-1); // (1, 3)
        Assert.True(realTokens.allclose(ones_like(realTokens), rtol: 0, atol: 1e-6));
        var entropy = -(logProbs.exp() * logProbs).sum(-1); // finite: p log p is 0 for the pad, not NaN
        Assert.True(entropy.isfinite().all().item<bool>());
    }

    [Fact]
    public void A_checkpoint_without_pad_token_id_in_its_config_takes_it_from_its_tokenizer()
    {
        TorchRuntime.Init();
        var tokenizerFolder = Repo.Path("data", "tinyworld", "tokenizer");
        var tokenizer = TextTokenizer.Load(tokenizerFolder);
        var folder = Directory.CreateTempSubdirectory("rlhf-pad-").FullName;
        try
        {
            var config = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = 32, VocabularySize = tokenizer.VocabularySize };
            using (var model = new Gpt(config)) Checkpoint.Save(folder, model, config, tokenizerFolder);
            Assert.DoesNotContain("pad_token_id", File.ReadAllText(Path.Combine(folder, "config.json")));

            Assert.Equal(tokenizer.PadId, Checkpoint.ReadConfig(folder).PadTokenId);
            using var loaded = Checkpoint.LoadGpt(folder);
            Assert.Equal(tokenizer.PadId, loaded.Config.PadTokenId);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_pad_id_outside_the_vocabulary_is_refused_naming_the_field()
    {
        var error = Assert.Throws<ArgumentException>(() => (TinyModels.Config with { PadTokenId = 50 }).Validate());
        Assert.Contains("pad_token_id", error.Message);
    }
}
