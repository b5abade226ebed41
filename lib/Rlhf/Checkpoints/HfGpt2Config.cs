using System.Text.Json;
using System.Text.Json.Serialization;
using Rlhf.Models;

namespace Rlhf.Checkpoints;

/// <summary>
/// The fields of a Hugging Face GPT-2 <c>config.json</c> that decide the model's shape and behaviour, read
/// straight into a record with their HF names. <see cref="ToGptConfig"/> checks that the folder really is a
/// GPT-2 this project can run (not another architecture, no variant switches) and maps it to a
/// <see cref="GptConfig"/>; <see cref="FromGptConfig"/> writes the config transformers expects back.
/// </summary>
public sealed record HfGpt2Config
{
    /// <summary>The architecture name; must be <c>gpt2</c>.</summary>
    [JsonPropertyName("model_type")] public string? ModelType { get; init; }

    /// <summary>The transformers classes the weights fit, e.g. <c>GPT2LMHeadModel</c>.</summary>
    [JsonPropertyName("architectures")] public string[]? Architectures { get; init; }

    /// <summary>Number of blocks (our <see cref="GptConfig.Layers"/>).</summary>
    [JsonPropertyName("n_layer")] public int? Layers { get; init; }

    /// <summary>Attention heads (our <see cref="GptConfig.Heads"/>).</summary>
    [JsonPropertyName("n_head")] public int? Heads { get; init; }

    /// <summary>Residual width (our <see cref="GptConfig.EmbeddingSize"/>).</summary>
    [JsonPropertyName("n_embd")] public int? EmbeddingSize { get; init; }

    /// <summary>Size of the position table (our <see cref="GptConfig.ContextLength"/>).</summary>
    [JsonPropertyName("n_positions")] public int? Positions { get; init; }

    /// <summary>Older name for the context length; used only when <c>n_positions</c> is absent.</summary>
    [JsonPropertyName("n_ctx")] public int? Context { get; init; }

    /// <summary>Rows of the token embedding (our <see cref="GptConfig.VocabularySize"/>).</summary>
    [JsonPropertyName("vocab_size")] public int? VocabularySize { get; init; }

    /// <summary>Width of the MLP's hidden layer; null means 4 x <c>n_embd</c>, the only width our model has.</summary>
    [JsonPropertyName("n_inner")] public int? InnerSize { get; init; }

    /// <summary>Layer-norm epsilon; HF's default is 1e-5.</summary>
    [JsonPropertyName("layer_norm_epsilon")] public double? LayerNormEpsilon { get; init; }

    /// <summary>Residual dropout (our single <see cref="GptConfig.Dropout"/>).</summary>
    [JsonPropertyName("resid_pdrop")] public double? ResidualDropout { get; init; }

    /// <summary>Embedding dropout; must equal <c>resid_pdrop</c> since our model has one dropout rate.</summary>
    [JsonPropertyName("embd_pdrop")] public double? EmbeddingDropout { get; init; }

    /// <summary>Attention dropout; must equal <c>resid_pdrop</c> since our model has one dropout rate.</summary>
    [JsonPropertyName("attn_pdrop")] public double? AttentionDropout { get; init; }

    /// <summary>The MLP activation; GPT-2's is <c>gelu_new</c> (GELU, tanh approximation).</summary>
    [JsonPropertyName("activation_function")] public string? Activation { get; init; }

    /// <summary>Whether the LM head shares the token embedding; HF's default is true.</summary>
    [JsonPropertyName("tie_word_embeddings")] public bool? TieWordEmbeddings { get; init; }

    /// <summary>A GPT-2 variant switch (Mistral's stability trick) our model does not implement; must be false.</summary>
    [JsonPropertyName("scale_attn_by_inverse_layer_idx")] public bool? ScaleAttentionByInverseLayer { get; init; }

    /// <summary>Whether attention scores are divided by sqrt(head size); must be true (GPT-2 does).</summary>
    [JsonPropertyName("scale_attn_weights")] public bool? ScaleAttentionWeights { get; init; }

    /// <summary>Encoder-decoder cross-attention; must be false.</summary>
    [JsonPropertyName("add_cross_attention")] public bool? AddCrossAttention { get; init; }

    /// <summary>Standard deviation HF uses to initialise weights (kept for transformers; unused here).</summary>
    [JsonPropertyName("initializer_range")] public double? InitializerRange { get; init; }

    /// <summary>Id of the beginning-of-sequence token (GPT-2 uses end-of-text).</summary>
    [JsonPropertyName("bos_token_id")] public int? BeginOfSequenceId { get; init; }

    /// <summary>Id of the end-of-text token.</summary>
    [JsonPropertyName("eos_token_id")] public int? EndOfTextId { get; init; }

    /// <summary>Id of the padding token, when the tokenizer has one.</summary>
    [JsonPropertyName("pad_token_id")] public int? PadId { get; init; }

    /// <summary>Element type of the stored weights, e.g. <c>float32</c> (informational for transformers).</summary>
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; init; }

    static readonly JsonSerializerOptions json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads an HF <c>config.json</c>.</summary>
    /// <exception cref="CheckpointFormatException">The file is not JSON or a field has the wrong type.</exception>
    public static HfGpt2Config Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<HfGpt2Config>(File.ReadAllText(path), json)
                   ?? throw new CheckpointFormatException(path, null, "config.json is empty (null)");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, null,
                $"config.json line {e.LineNumber + 1}, field {e.Path}: {e.Message}", e);
        }
    }

    /// <summary>Writes this config as indented JSON (absent fields left out).</summary>
    public void Write(string path) => AtomicFile.WriteText(path, JsonSerializer.Serialize(this, json) + "\n");

    /// <summary>
    /// Checks that this is a GPT-2 config our <see cref="Gpt"/> can reproduce exactly and maps it; every
    /// refusal names <paramref name="path"/> and the field.
    /// </summary>
    public GptConfig ToGptConfig(string path)
    {
        if (ModelType != "gpt2")
            throw new CheckpointFormatException(path, null,
                $"model_type is '{ModelType ?? "(missing)"}' (architectures: {string.Join(", ", Architectures ?? ["(missing)"])}); " +
                "only GPT-2 folders (model_type 'gpt2') can be imported");
        int embedding = Required(path, EmbeddingSize, "n_embd");
        if (InnerSize is { } inner && inner != 4 * embedding)
            Refuse(path, "n_inner", inner, $"our MLP is 4 x n_embd = {4 * embedding} wide");
        if (Activation is { } activation && activation is not ("gelu_new" or "gelu_pytorch_tanh"))
            Refuse(path, "activation_function", activation, "our model uses GPT-2's tanh-approximated GELU (gelu_new)");
        if (ScaleAttentionByInverseLayer == true) Refuse(path, "scale_attn_by_inverse_layer_idx", true, "this variant is not implemented");
        if (ScaleAttentionWeights == false) Refuse(path, "scale_attn_weights", false, "our attention always scales by 1/sqrt(head size)");
        if (AddCrossAttention == true) Refuse(path, "add_cross_attention", true, "cross-attention is not implemented");
        double dropout = ResidualDropout ?? 0.1;
        if (EmbeddingDropout is { } embd && embd != dropout)
            Refuse(path, "embd_pdrop", embd, $"our model has one dropout rate and resid_pdrop is {dropout}");
        if (AttentionDropout is { } attn && attn != dropout)
            Refuse(path, "attn_pdrop", attn, $"our model has one dropout rate and resid_pdrop is {dropout}");

        var config = new GptConfig
        {
            Layers = Required(path, Layers, "n_layer"),
            Heads = Required(path, Heads, "n_head"),
            EmbeddingSize = embedding,
            ContextLength = Required(path, Positions ?? Context, "n_positions"),
            VocabularySize = Required(path, VocabularySize, "vocab_size"),
            Dropout = dropout,
            Bias = true,
            TieWeights = TieWordEmbeddings ?? true,
            LayerNormEpsilon = LayerNormEpsilon ?? 1e-5,
        };
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, null, $"the GPT-2 config maps to an invalid model: {e.Message}", e);
        }
    }

    /// <summary>The HF config for our <paramref name="config"/>: what <c>GPT2LMHeadModel.from_pretrained</c> needs.</summary>
    /// <param name="config">Our model's config; GPT-2 has biases everywhere, so <see cref="GptConfig.Bias"/> must be true.</param>
    /// <param name="endOfTextId">The tokenizer's end-of-text id (written as <c>bos_token_id</c> and <c>eos_token_id</c>, as GPT-2 does).</param>
    /// <param name="padId">The tokenizer's padding id, if any.</param>
    /// <param name="torchDtype">The element type the weights are stored in, e.g. <c>float32</c>.</param>
    public static HfGpt2Config FromGptConfig(GptConfig config, int? endOfTextId, int? padId, string torchDtype)
    {
        config.Validate();
        if (!config.Bias)
            throw new ArgumentException("GPT-2 has a bias in every linear layer and layer norm; a model with Bias = false cannot be exported to the GPT-2 layout.", nameof(config));
        return new HfGpt2Config
        {
            ModelType = "gpt2",
            Architectures = ["GPT2LMHeadModel"],
            Layers = config.Layers,
            Heads = config.Heads,
            EmbeddingSize = config.EmbeddingSize,
            Positions = config.ContextLength,
            Context = config.ContextLength,
            VocabularySize = config.VocabularySize,
            LayerNormEpsilon = config.LayerNormEpsilon,
            ResidualDropout = config.Dropout,
            EmbeddingDropout = config.Dropout,
            AttentionDropout = config.Dropout,
            Activation = "gelu_new",
            TieWordEmbeddings = config.TieWeights,
            ScaleAttentionByInverseLayer = false,
            ScaleAttentionWeights = true,
            AddCrossAttention = false,
            InitializerRange = 0.02,
            BeginOfSequenceId = endOfTextId,
            EndOfTextId = endOfTextId,
            PadId = padId,
            TorchDtype = torchDtype,
        };
    }

    static int Required(string path, int? value, string field) =>
        value ?? throw new CheckpointFormatException(path, null, $"field '{field}' is missing");

    static void Refuse(string path, string field, object value, string why) =>
        throw new CheckpointFormatException(path, null, $"field '{field}' is {(value is bool b ? (b ? "true" : "false") : value)}: {why}");
}
