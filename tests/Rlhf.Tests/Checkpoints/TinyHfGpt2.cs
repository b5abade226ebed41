using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Checkpoints;

/// <summary>
/// Writes a tiny GPT-2 folder the way Hugging Face lays one out: HF config.json names, safetensors keys
/// with HF names, Conv1D weights as [in, out], the causal-mask buffers old files carry, and a small
/// byte-level vocabulary (vocab.json + merges.txt). The weights are random and kept as plain arrays
/// so tests can set a model's parameters from them by hand.
/// </summary>
sealed class TinyHfGpt2
{
    public const int Layers = 2, Heads = 2, Width = 8, Positions = 16;

    /// <summary>HF name (without the transformer. prefix) -> (values row-major, HF shape).</summary>
    public Dictionary<string, (float[] Values, long[] Shape)> Weights { get; } = new();

    public int VocabularySize { get; }

    /// <summary>Context length (n_positions); <see cref="Positions"/> unless a longer one is asked for.</summary>
    public int Context { get; }

    public TinyHfGpt2(int vocabularySize, int seed, int context = Positions)
    {
        VocabularySize = vocabularySize;
        Context = context;
        var random = new Random(seed);
        void Add(string name, long[] shape, float center = 0, float spread = 0.3f) =>
            Weights[name] = (Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b))
                .Select(_ => center + spread * (float)(random.NextDouble() * 2 - 1)).ToArray(), shape);
        Add("wte.weight", [vocabularySize, Width]);
        Add("wpe.weight", [context, Width]);
        for (int i = 0; i < Layers; i++)
        {
            Add($"h.{i}.ln_1.weight", [Width], center: 1, spread: 0.1f);
            Add($"h.{i}.ln_1.bias", [Width], spread: 0.1f);
            Add($"h.{i}.attn.c_attn.weight", [Width, 3 * Width]);
            Add($"h.{i}.attn.c_attn.bias", [3 * Width], spread: 0.1f);
            Add($"h.{i}.attn.c_proj.weight", [Width, Width]);
            Add($"h.{i}.attn.c_proj.bias", [Width], spread: 0.1f);
            Add($"h.{i}.ln_2.weight", [Width], center: 1, spread: 0.1f);
            Add($"h.{i}.ln_2.bias", [Width], spread: 0.1f);
            Add($"h.{i}.mlp.c_fc.weight", [Width, 4 * Width]);
            Add($"h.{i}.mlp.c_fc.bias", [4 * Width], spread: 0.1f);
            Add($"h.{i}.mlp.c_proj.weight", [4 * Width, Width]);
            Add($"h.{i}.mlp.c_proj.bias", [Width], spread: 0.1f);
        }
        Add("ln_f.weight", [Width], center: 1, spread: 0.1f);
        Add("ln_f.bias", [Width], spread: 0.1f);
    }

    /// <summary>A small byte-level BPE tokenizer folder (vocab.json, merges.txt, tokenizer_config.json).</summary>
    public static TextTokenizer WriteTokenizer(string folder)
    {
        var trained = BpeTrainer.Train(["the cat sat on the mat", "the dog sat on the log", "a cat and a dog"],
            new BpeTrainerOptions { VocabularySize = 270 });
        var tokenizer = TextTokenizer.FromVocabulary(trained.Vocabulary);
        tokenizer.Save(folder);
        return tokenizer;
    }

    /// <summary>Writes config.json + model.safetensors (+ the tokenizer from <paramref name="tokenizerFolder"/>; none when null,
    /// as a GPT-2 folder that relies on the packaged GPT-2 tokenizer).</summary>
    public void Write(string folder, string? tokenizerFolder, bool withPrefix, bool withMaskBuffers = true,
        Action<Dictionary<string, object?>>? editConfig = null, Action<Dictionary<string, Tensor>>? editTensors = null)
    {
        Directory.CreateDirectory(folder);
        var config = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { "GPT2LMHeadModel" },
            ["model_type"] = "gpt2",
            ["activation_function"] = "gelu_new",
            ["n_layer"] = Layers, ["n_head"] = Heads, ["n_embd"] = Width, ["n_positions"] = Context, ["n_ctx"] = Context,
            ["vocab_size"] = VocabularySize, ["layer_norm_epsilon"] = 1e-5,
            ["resid_pdrop"] = 0.0, ["embd_pdrop"] = 0.0, ["attn_pdrop"] = 0.0, ["n_inner"] = null,
            ["bos_token_id"] = 0, ["eos_token_id"] = 0,
        };
        editConfig?.Invoke(config);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config));

        Rlhf.Torch.TorchRuntime.Init(); // torch's first call may come from here
        using var scope = torch.NewDisposeScope();
        var prefix = withPrefix ? "transformer." : "";
        var tensors = Weights.ToDictionary(p => prefix + p.Key, p => torch.tensor(p.Value.Values, p.Value.Shape));
        if (withMaskBuffers)
            for (int i = 0; i < Layers; i++)
            {
                tensors[$"{prefix}h.{i}.attn.bias"] = torch.ones(Context, Context).tril().view(1, 1, Context, Context);
                tensors[$"{prefix}h.{i}.attn.masked_bias"] = torch.tensor(-1e4f);
            }
        editTensors?.Invoke(tensors);
        SafetensorsFile.Write(Path.Combine(folder, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        if (tokenizerFolder is not null)
            foreach (var file in new[] { "vocab.json", "merges.txt" })
                File.Copy(Path.Combine(tokenizerFolder, file), Path.Combine(folder, file), overwrite: true);
    }

    /// <summary>The same array transposed by hand: HF's [in, out] Conv1D weight as a Linear [out, in] weight.</summary>
    public static float[] TransposeByHand(float[] values, long rows, long columns)
    {
        var result = new float[values.Length];
        for (long r = 0; r < rows; r++)
            for (long c = 0; c < columns; c++)
                result[c * rows + r] = values[r * columns + c];
        return result;
    }
}
