using System.Text.Json.Serialization;

namespace Rlhf.Models;

/// <summary>
/// The shape of a GPT-2 style model: everything needed to build <see cref="Gpt"/> and nothing else.
/// Saved as <c>config.json</c> beside every checkpoint (snake_case names). The defaults are the course
/// default (<see cref="CourseDefault"/>); <see cref="Gpt2"/>, <see cref="Gpt2Medium"/> and
/// <see cref="Gpt2Large"/> match the Hugging Face GPT-2 checkpoints. Call <see cref="Validate"/> once
/// after building or loading one; <see cref="Gpt"/> does it for you.
/// </summary>
public sealed record GptConfig
{
    /// <summary>Number of transformer blocks. Default 4.</summary>
    [JsonPropertyName("layers")] public int Layers { get; init; } = 4;

    /// <summary>Number of attention heads per block; must divide <see cref="EmbeddingSize"/>. Default 4.</summary>
    [JsonPropertyName("heads")] public int Heads { get; init; } = 4;

    /// <summary>Width of the residual stream (C). Default 128.</summary>
    [JsonPropertyName("embedding_size")] public int EmbeddingSize { get; init; } = 128;

    /// <summary>Longest sequence the model can see, in tokens (size of the position table). Default 256.</summary>
    [JsonPropertyName("context_length")] public int ContextLength { get; init; } = 256;

    /// <summary>Number of token ids (rows of the embedding table), special tokens included. Default 2048.</summary>
    [JsonPropertyName("vocabulary_size")] public int VocabularySize { get; init; } = 2048;

    /// <summary>Dropout probability on embeddings, attention weights and residual branches, in [0, 1). Default 0.</summary>
    [JsonPropertyName("dropout")] public double Dropout { get; init; } = 0.0;

    /// <summary>Whether linear layers and layer norms have a bias (GPT-2 has). Default true.</summary>
    [JsonPropertyName("bias")] public bool Bias { get; init; } = true;

    /// <summary>Whether the language-model head reuses the token embedding matrix (GPT-2 does). Default true.</summary>
    [JsonPropertyName("tie_weights")] public bool TieWeights { get; init; } = true;

    /// <summary>Epsilon of every layer norm (GPT-2 uses 1e-5). Default 1e-5.</summary>
    [JsonPropertyName("layer_norm_epsilon")] public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary>The padding token's id, or null when the vocabulary has none (GPT-2's own has none). The model never predicts
    /// it: <see cref="Gpt"/> sets its logit to the lowest finite value, so it is never sampled and takes no probability mass
    /// from real tokens in any log-prob. When a checkpoint's config.json lacks it, <c>Checkpoint.ReadConfig</c> takes it
    /// from the tokenizer saved beside the weights. Default null.</summary>
    [JsonPropertyName("pad_token_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PadTokenId { get; init; }

    /// <summary>Width of one attention head (C / heads).</summary>
    [JsonIgnore] public int HeadSize => EmbeddingSize / Heads;

    /// <summary>The course's CPU model: 4 layers, 4 heads, width 128, context 256, vocabulary 2048
    /// (1,088,256 parameters). Why: see <c>docs/model.md</c>.</summary>
    public static GptConfig CourseDefault { get; } = new();

    /// <summary>GPT-2 small (124M): 12 layers, 12 heads, width 768, context 1024, vocabulary 50257.</summary>
    public static GptConfig Gpt2 { get; } = new()
    {
        Layers = 12, Heads = 12, EmbeddingSize = 768, ContextLength = 1024, VocabularySize = 50257, Bias = true, TieWeights = true,
    };

    /// <summary>GPT-2 medium (350M): 24 layers, 16 heads, width 1024.</summary>
    public static GptConfig Gpt2Medium { get; } = Gpt2 with { Layers = 24, Heads = 16, EmbeddingSize = 1024 };

    /// <summary>GPT-2 large (774M): 36 layers, 20 heads, width 1280.</summary>
    public static GptConfig Gpt2Large { get; } = Gpt2 with { Layers = 36, Heads = 20, EmbeddingSize = 1280 };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public GptConfig Validate()
    {
        Require(Layers > 0, nameof(Layers), "layers", Layers, "must be at least 1");
        Require(Heads > 0, nameof(Heads), "heads", Heads, "must be at least 1");
        Require(EmbeddingSize > 0, nameof(EmbeddingSize), "embedding_size", EmbeddingSize, "must be at least 1");
        Require(EmbeddingSize % Heads == 0, nameof(EmbeddingSize), "embedding_size", EmbeddingSize,
            $"must be divisible by heads ({Heads})");
        Require(ContextLength > 0, nameof(ContextLength), "context_length", ContextLength, "must be at least 1");
        Require(VocabularySize > 0, nameof(VocabularySize), "vocabulary_size", VocabularySize, "must be at least 1");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), "dropout", Dropout, "must be in [0, 1)");
        Require(PadTokenId is null || (PadTokenId >= 0 && PadTokenId < VocabularySize), nameof(PadTokenId), "pad_token_id", PadTokenId ?? 0,
            $"must be a token id below vocabulary_size ({VocabularySize})");
        Require(LayerNormEpsilon > 0 && double.IsFinite(LayerNormEpsilon), nameof(LayerNormEpsilon), "layer_norm_epsilon",
            LayerNormEpsilon, "must be a positive number");
        return this;
    }

    /// <summary>Number of trainable parameters a <see cref="Gpt"/> with this config has (tied head counted once).</summary>
    public long ParameterCount()
    {
        long c = EmbeddingSize, biasWidth = Bias ? 1 : 0;
        long layerNorm = c + biasWidth * c;
        long attention = 3 * c * c + biasWidth * 3 * c + c * c + biasWidth * c;
        long mlp = 4 * c * c + biasWidth * 4 * c + 4 * c * c + biasWidth * c;
        long block = 2 * layerNorm + attention + mlp;
        long head = TieWeights ? 0 : (long)VocabularySize * c;
        return (long)VocabularySize * c + (long)ContextLength * c + Layers * block + layerNorm + head;
    }

    static void Require(bool ok, string property, string jsonName, object value, string rule)
    {
        if (!ok) throw new ArgumentException($"GptConfig.{property} (\"{jsonName}\") {rule}, got {value}.", property);
    }
}
