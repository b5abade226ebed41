using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Models;

public class ScalarHeadModelTests
{
    public ScalarHeadModelTests() => TorchRuntime.Init();

    static ScalarHeadModel Make(GptConfig? config = null, int seed = 2)
    {
        torch.manual_seed(seed);
        var model = new ScalarHeadModel(config ?? TinyModels.Config);
        model.eval();
        return model;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Keys_are_the_backbone_under_transformer_plus_score(bool tied)
    {
        using var model = Make(TinyModels.Config with { TieWeights = tied });
        using var gpt = TinyModels.Gpt(TinyModels.Config with { TieWeights = true });
        var expected = gpt.state_dict().Keys.Select(k => "transformer." + k).Append("score.weight").Append("score.bias").Order();
        Assert.Equal(expected, model.state_dict().Keys.Order());
        Assert.Equal([1L, 16], model.state_dict()["score.weight"].shape);
    }

    [Fact]
    public void The_head_starts_with_std_one_over_sqrt_width_plus_one()
    {
        using var model = Make(new GptConfig { Layers = 1, Heads = 4, EmbeddingSize = 2048, ContextLength = 4, VocabularySize = 8 });
        var std = model.state_dict()["score.weight"].std().item<float>();
        Assert.InRange(std, 0.9 / Math.Sqrt(2049), 1.1 / Math.Sqrt(2049));
        Assert.Equal(0f, model.state_dict()["score.bias"].item<float>());
    }

    [Fact]
    public void Values_are_the_head_applied_to_the_final_hidden_states()
    {
        using var scope = NewDisposeScope();
        using var model = Make();
        var ids = TinyModels.Ids([3, 1, 4, 1, 5]);
        var state = model.state_dict();
        var expected = model.Transformer.HiddenStates(ids).matmul(state["score.weight"].t()).squeeze(-1) + state["score.bias"];
        var values = model.forward(ids);
        Assert.Equal([1L, 5], values.shape);
        Assert.True(values.allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void The_last_real_token_value_ignores_left_and_right_padding()
    {
        using var scope = NewDisposeScope();
        using var model = Make();
        using (no_grad()) model.state_dict()["score.bias"].fill_(0.25f);
        var alone = model.forward(TinyModels.Ids([9, 8, 7]))[0, 2].item<float>();
        var batch = TinyModels.Ids([0, 0, 9, 8, 7], [9, 8, 7, 0, 0], [1, 2, 3, 4, 5]);
        var mask = TinyModels.Ids([0, 0, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 1]);
        Assert.Equal([4L, 2, 4], ScalarHeadModel.LastRealIndex(mask).data<long>().ToArray());
        var last = model.LastTokenValues(batch, mask).data<float>().ToArray();
        Assert.Equal(alone, last[0], 5);
        Assert.Equal(alone, last[1], 5);
        Assert.NotEqual(alone, last[2], 3);
    }

    [Fact]
    public void A_backbone_can_be_loaded_from_a_language_model()
    {
        using var scope = NewDisposeScope();
        var config = TinyModels.Config with { TieWeights = false };
        using var policy = TinyModels.Gpt(config, seed: 7);
        using var critic = Make(config, seed: 8);
        var ids = TinyModels.Ids([2, 4, 6, 8]);
        Assert.False(critic.Transformer.HiddenStates(ids).allclose(policy.HiddenStates(ids)));
        critic.LoadBackbone(policy);
        Assert.True(critic.Transformer.HiddenStates(ids).eq(policy.HiddenStates(ids)).all().item<bool>());
        using var wider = TinyModels.Gpt(config with { EmbeddingSize = 32 });
        Assert.Contains("wte.weight", Assert.Throws<ArgumentException>(() => critic.LoadBackbone(wider)).Message);
    }
}
