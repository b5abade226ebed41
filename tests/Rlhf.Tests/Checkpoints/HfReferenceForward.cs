using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Checkpoints;

/// <summary>
/// GPT-2's forward pass written from the Hugging Face layout alone, independently of <see cref="Models.Gpt"/>: config.json read
/// as JSON, Conv1D weights used as <c>x @ W + b</c> with W of shape [in, out], <c>gelu_new</c> written out, causal attention
/// by hand, logits against <c>wte</c> (tied) or <c>lm_head</c>. What transformers computes, so our import and export can
/// be checked against it token by token.
/// </summary>
static class HfReferenceForward
{
    /// <summary>log softmax of the logits (T, V) for <paramref name="ids"/> under the HF folder <paramref name="folder"/>.</summary>
    public static Tensor LogProbs(string folder, long[] ids)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        int layers = config["n_layer"]!.GetValue<int>(), heads = config["n_head"]!.GetValue<int>();
        double eps = config["layer_norm_epsilon"]?.GetValue<double>() ?? 1e-5;
        using var content = SafetensorsFile.Read(Path.Combine(folder, "model.safetensors"), CPU);
        Tensor W(string name) => (content.Tensors.TryGetValue("transformer." + name, out var t) ? t : content.Tensors[name]).to(ScalarType.Float64);
        Tensor LayerNorm(Tensor x, string prefix)
        {
            var mean = x.mean([-1], keepdim: true);
            var variance = (x - mean).pow(2).mean([-1], keepdim: true);
            return (x - mean) / (variance + eps).sqrt() * W(prefix + ".weight") + W(prefix + ".bias");
        }
        Tensor Conv1D(Tensor x, string prefix) => x.matmul(W(prefix + ".weight")) + W(prefix + ".bias"); // (T, in) @ (in, out)
        Tensor GeluNew(Tensor x) => 0.5 * x * (1 + (Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh());

        using var scope = NewDisposeScope();
        int length = ids.Length;
        var positions = arange(length, dtype: ScalarType.Int64);
        var h = W("wte.weight").index_select(0, tensor(ids)) + W("wpe.weight").index_select(0, positions); // (T, C)
        long width = h.shape[1], headSize = width / heads;
        var future = ones(length, length, dtype: ScalarType.Bool).triu(1);                                  // (T, T)
        for (int layer = 0; layer < layers; layer++)
        {
            string p = $"h.{layer}";
            var qkv = Conv1D(LayerNorm(h, p + ".ln_1"), p + ".attn.c_attn");                                 // (T, 3C)
            var (q, k, v) = (qkv.narrow(1, 0, width), qkv.narrow(1, width, width), qkv.narrow(1, 2 * width, width));
            Tensor Heads(Tensor x) => x.view(length, heads, headSize).transpose(0, 1);                        // (nh, T, hs)
            var scores = Heads(q).matmul(Heads(k).transpose(1, 2)) / Math.Sqrt(headSize);                    // (nh, T, T)
            var attention = scores.masked_fill(future, double.NegativeInfinity).softmax(-1);
            var mixed = attention.matmul(Heads(v)).transpose(0, 1).reshape(length, width);                   // (T, C)
            h = h + Conv1D(mixed, p + ".attn.c_proj");
            h = h + Conv1D(GeluNew(Conv1D(LayerNorm(h, p + ".ln_2"), p + ".mlp.c_fc")), p + ".mlp.c_proj");
        }
        h = LayerNorm(h, "ln_f");
        var head = content.Tensors.ContainsKey("lm_head.weight") ? W("lm_head.weight") : W("wte.weight");    // (V, C)
        return h.matmul(head.t()).log_softmax(-1).to(ScalarType.Float32).MoveToOuterDisposeScope();          // (T, V)
    }
}
