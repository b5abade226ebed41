using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Models;

public class GptTests
{
    public GptTests() => TorchRuntime.Init();

    static string[] ExpectedKeys(int layers, bool tied)
    {
        var keys = new List<string> { "wte.weight", "wpe.weight" };
        for (int i = 0; i < layers; i++)
            foreach (var part in new[] { "ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj" })
                keys.AddRange([$"h.{i}.{part}.weight", $"h.{i}.{part}.bias"]);
        keys.AddRange(["ln_f.weight", "ln_f.bias"]);
        if (!tied) keys.Add("lm_head.weight");
        return keys.Order().ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void State_dict_keys_and_shapes_are_hugging_face_gpt2_names(bool tied)
    {
        var config = TinyModels.Config with { TieWeights = tied };
        using var model = TinyModels.Gpt(config);
        var state = model.state_dict();
        Assert.Equal(ExpectedKeys(config.Layers, tied), state.Keys.Order().ToArray());
        long c = config.EmbeddingSize, v = config.VocabularySize, t = config.ContextLength;
        Assert.Equal([v, c], state["wte.weight"].shape);
        Assert.Equal([t, c], state["wpe.weight"].shape);
        Assert.Equal([3 * c, c], state["h.1.attn.c_attn.weight"].shape);
        Assert.Equal([3 * c], state["h.1.attn.c_attn.bias"].shape);
        Assert.Equal([c, c], state["h.0.attn.c_proj.weight"].shape);
        Assert.Equal([4 * c, c], state["h.0.mlp.c_fc.weight"].shape);
        Assert.Equal([c, 4 * c], state["h.0.mlp.c_proj.weight"].shape);
        if (!tied) Assert.Equal([v, c], state["lm_head.weight"].shape);
        Assert.Equal(config.ParameterCount(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Without_bias_there_are_no_bias_parameters()
    {
        using var model = TinyModels.Gpt(TinyModels.Config with { Bias = false });
        Assert.DoesNotContain(model.state_dict().Keys, k => k.EndsWith(".bias"));
        Assert.Equal((TinyModels.Config with { Bias = false }).ParameterCount(), model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Initialisation_follows_gpt2()
    {
        var config = TinyModels.Config with { Layers = 8, EmbeddingSize = 64, Heads = 4, VocabularySize = 500 };
        using var model = TinyModels.Gpt(config);
        var state = model.state_dict();
        double Std(string key) => state[key].std().item<float>();
        Assert.InRange(Std("wte.weight"), 0.019, 0.021);
        Assert.InRange(Std("h.0.mlp.c_fc.weight"), 0.019, 0.021);
        double residual = 0.02 / Math.Sqrt(2 * 8); // 0.005
        Assert.InRange(Std("h.3.mlp.c_proj.weight"), residual * 0.95, residual * 1.05);
        Assert.InRange(Std("h.3.attn.c_proj.weight"), residual * 0.9, residual * 1.1);
        Assert.Equal(0f, state["h.0.attn.c_attn.bias"].abs().sum().item<float>());
        Assert.True(state["h.0.ln_1.weight"].eq(1).all().item<bool>());
        Assert.Equal(0f, state["ln_f.bias"].abs().sum().item<float>());
    }

    /// <summary>GPT-2 written out by hand from the state dict (explicit softmax attention, tanh GELU formula,
    /// pre-LayerNorm, tied head) to prove the module computes exactly that architecture.</summary>
    static Tensor ReferenceLogits(Dictionary<string, Tensor> w, GptConfig config, Tensor ids)
    {
        long batch = ids.shape[0], time = ids.shape[1], c = config.EmbeddingSize, heads = config.Heads, hs = c / heads;
        Tensor Norm(Tensor x, string name)
        {
            var mean = x.mean([-1], keepdim: true);
            var variance = (x - mean).pow(2).mean([-1], keepdim: true);
            return (x - mean) / (variance + config.LayerNormEpsilon).sqrt() * w[name + ".weight"] + w[name + ".bias"];
        }
        Tensor Dense(Tensor x, string name) => x.matmul(w[name + ".weight"].t()) + w[name + ".bias"];
        var x = w["wte.weight"].index(ids) + w["wpe.weight"].narrow(0, 0, time);
        var future = ones(time, time).triu(1).to(ScalarType.Bool).to(x.device);
        for (int i = 0; i < config.Layers; i++)
        {
            var qkv = Dense(Norm(x, $"h.{i}.ln_1"), $"h.{i}.attn.c_attn");
            Tensor Heads(int part) => qkv.narrow(2, part * c, c).reshape(batch, time, heads, hs).permute(0, 2, 1, 3);
            var scores = Heads(0).matmul(Heads(1).transpose(-1, -2)) / Math.Sqrt(hs);
            var weights = scores.masked_fill(future, double.NegativeInfinity).softmax(-1);
            var mixed = weights.matmul(Heads(2)).permute(0, 2, 1, 3).reshape(batch, time, c);
            x = x + Dense(mixed, $"h.{i}.attn.c_proj");
            var hidden = Dense(Norm(x, $"h.{i}.ln_2"), $"h.{i}.mlp.c_fc");
            var gelu = 0.5 * hidden * (1 + (Math.Sqrt(2 / Math.PI) * (hidden + 0.044715 * hidden.pow(3))).tanh());
            x = x + Dense(gelu, $"h.{i}.mlp.c_proj");
        }
        return Norm(x, "ln_f").matmul(w["wte.weight"].t());
    }

    [Fact]
    public void Logits_equal_a_hand_written_gpt2()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        // GPT-2 initialises biases and layer norms to constants; perturb them so they are exercised.
        using (no_grad()) foreach (var p in model.parameters()) p.add_(randn_like(p) * 0.1);
        var ids = TinyModels.Ids([3, 14, 15, 9, 26, 5, 35], [8, 9, 7, 9, 3, 2, 3]);
        var logits = model.forward(ids);
        Assert.Equal([2L, 7, 50], logits.shape);
        var expected = ReferenceLogits(model.state_dict(), model.Config, ids);
        Assert.True(logits.allclose(expected, rtol: 0, atol: 1e-5), $"max diff {(logits - expected).abs().max().item<float>()}");
        Assert.True(model.HiddenStates(ids).matmul(model.state_dict()["wte.weight"].t()).allclose(logits, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Untied_head_uses_lm_head()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt(TinyModels.Config with { TieWeights = false });
        var ids = TinyModels.Ids([1, 2, 3]);
        var expected = model.HiddenStates(ids).matmul(model.state_dict()["lm_head.weight"].t());
        Assert.True(model.forward(ids).allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_token_never_sees_the_future()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var a = model.forward(TinyModels.Ids([5, 6, 7, 8, 9]));
        var b = model.forward(TinyModels.Ids([5, 6, 7, 40, 41]));
        Assert.True(a.narrow(1, 0, 3).allclose(b.narrow(1, 0, 3), rtol: 0, atol: 1e-6));
        Assert.False(a.narrow(1, 3, 1).allclose(b.narrow(1, 3, 1), rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Left_padded_rows_get_the_same_logits_as_unpadded_ones()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        const long pad = 0;
        long[] shortRow = [7, 8, 9], longRow = [11, 12, 13, 14, 15, 16];
        var batch = TinyModels.Ids([pad, pad, pad, .. shortRow], longRow);
        var mask = TinyModels.Ids([0, 0, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1]);
        var padded = model.forward(batch, mask);
        var alone = model.forward(TinyModels.Ids(shortRow));
        var diff = (padded[0].narrow(0, 3, 3) - alone[0]).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"left padding changed the logits by {diff}");
        Assert.True(padded[1].allclose(model.forward(TinyModels.Ids(longRow))[0], rtol: 0, atol: 1e-5));
        Assert.False(padded.isnan().any().item<bool>());
        // Without the mask the padding would be read as tokens: the test can fail.
        var unmasked = model.forward(batch);
        Assert.False(unmasked[0].narrow(0, 3, 3).allclose(alone[0], rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void Right_padded_rows_get_the_same_logits_on_their_real_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var batch = TinyModels.Ids([7, 8, 9, 0, 0], [1, 2, 3, 4, 5]);
        var mask = TinyModels.Ids([1, 1, 1, 0, 0], [1, 1, 1, 1, 1]);
        var padded = model.forward(batch, mask);
        Assert.True(padded[0].narrow(0, 0, 3).allclose(model.forward(TinyModels.Ids([7, 8, 9]))[0], rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void One_backward_pass_reaches_every_parameter()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt(TinyModels.Config with { Dropout = 0.1, TieWeights = false });
        model.train();
        var ids = TinyModels.Ids([1, 2, 3, 4, 5, 6], [0, 0, 7, 8, 9, 10]);
        var mask = TinyModels.Ids([1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]);
        var logits = model.forward(ids, mask); // (2, 6, V)
        nn.functional.cross_entropy(logits.narrow(1, 0, 5).reshape(-1, 50), ids.narrow(1, 1, 5).reshape(-1)).backward();
        foreach (var (name, parameter) in model.named_parameters())
            Assert.True(parameter.grad is not null && parameter.grad.abs().sum().item<float>() > 0, $"{name} got no gradient");
    }

    [Fact]
    public void Too_long_inputs_and_wrong_masks_are_refused()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Gpt();
        var tooLong = zeros(1, 33, ScalarType.Int64, TorchRuntime.Device);
        Assert.Contains("context length 32", Assert.Throws<ArgumentException>(() => model.forward(tooLong)).Message);
        var ids = TinyModels.Ids([1, 2, 3]);
        Assert.Contains("attention mask", Assert.Throws<ArgumentException>(() => model.forward(ids, TinyModels.Ids([1, 1]))).Message);
    }
}
