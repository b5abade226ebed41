using Rlhf.Data;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>LP-FT's linear probe (<see cref="LinearProbeHead"/>): only the head changes, and the head it sets scores pairs
/// exactly as the fitted logistic regression does (features read at the same last real token as the rewards).</summary>
public sealed class LinearProbeHeadTests
{
    static readonly TextTokenizer Tokenizer = TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));

    public LinearProbeHeadTests() => TorchRuntime.Init();

    [Fact]
    public void The_probe_sets_only_the_head_and_the_model_then_scores_pairs_with_the_probe_loss()
    {
        using var scope = NewDisposeScope();
        var template = new ChatTemplate(Tokenizer);
        var pairs = Enumerable.Range(0, 12)
            .Select(i => PreferenceExample.Encode(new PreferencePair($"What is {i} + 2?", $"It's {i + 2}.", i % 2 == 0 ? "I can't help with that." : "No."), template, 48))
            .ToList();
        manual_seed(4);
        using var model = new ScalarHeadModel(new GptConfig { Layers = 2, Heads = 2, EmbeddingSize = 32, ContextLength = 64, VocabularySize = Tokenizer.VocabularySize });
        model.eval();
        var backboneBefore = model.Transformer.parameters().Select(p => p.detach().clone()).ToList();

        double probeLoss = LinearProbeHead.Fit(model, pairs, Tokenizer.PadId, batchPairs: 5);

        foreach (var (before, after) in backboneBefore.Zip(model.Transformer.parameters()))
            Assert.True(before.eq(after.detach()).all().item<bool>(), "the backbone must not change");
        var head = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(0, head["score.bias"].item<float>());
        Assert.True(probeLoss < Math.Log(2) / 2, $"a probe on 12 separable pairs should fit them, loss {probeLoss}");

        // Rewards of the model (right-padded batch of pairs of different lengths) give back the probe's loss and order.
        var batch = PreferenceBatch.Collate(pairs, Tokenizer.PadId, TorchRuntime.Device);
        using var noGrad = no_grad();
        var (chosen, rejected) = PreferenceBatch.Split(model.LastTokenValues(batch.InputIds, batch.AttentionMask));
        Assert.Equal(probeLoss, BradleyTerryLoss.PerPair(chosen, rejected).mean().item<float>(), 4);
        Assert.True((chosen - rejected).gt(0).all().item<bool>());
        Assert.Throws<ArgumentException>(() => LinearProbeHead.Fit(model, [], Tokenizer.PadId, 4));
    }
}
