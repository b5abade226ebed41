using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>
/// Import and export of Hugging Face GPT-2 folders (<c>config.json</c>, <c>model.safetensors</c>,
/// <c>vocab.json</c>, <c>merges.txt</c>), so GPT-2 can start the course and our models can be continued in
/// transformers / TRL / DeepSpeed.
/// <para>
/// The one real difference in layout: GPT-2's attention and MLP projections are <c>Conv1D</c> modules whose
/// weight is stored <c>[in, out]</c> (they compute <c>x @ W + b</c>), where our <c>Linear</c> stores
/// <c>[out, in]</c> (<c>x @ Wᵀ + b</c>). So <c>c_attn</c>, <c>attn.c_proj</c>, <c>c_fc</c> and <c>mlp.c_proj</c>
/// weights are transposed on the way in and out; everything else keeps its name and shape. HF keys may carry a
/// <c>transformer.</c> prefix (as <c>GPT2LMHeadModel.save_pretrained</c> writes) or not (as the original
/// <c>gpt2</c> upload has); the causal-mask buffers <c>attn.bias</c> / <c>attn.masked_bias</c> some files still
/// carry are not weights and are skipped.
/// </para>
/// </summary>
public static class HfGpt2
{
    /// <summary>The prefix <c>GPT2LMHeadModel</c> puts before the backbone's keys.</summary>
    public const string BackbonePrefix = "transformer.";

    /// <summary>The untied language-model head's key (same name in both layouts).</summary>
    public const string LanguageModelHeadKey = "lm_head.weight";

    static readonly string[] conv1dWeights = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];
    static readonly string[] maskBuffers = ["attn.bias", "attn.masked_bias"];

    /// <summary>True when <paramref name="folder"/>'s <c>config.json</c> is an HF config (it names a <c>model_type</c>).</summary>
    public static bool IsHfFolder(string folder)
    {
        var path = Path.Combine(folder, Checkpoint.ConfigFile);
        return File.Exists(path) && HfGpt2Config.Read(path).ModelType is not null;
    }

    /// <summary>Reads an HF folder's <c>config.json</c> and maps it to our config (see <see cref="HfGpt2Config.ToGptConfig"/>).</summary>
    public static GptConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, Checkpoint.ConfigFile);
        if (!File.Exists(path)) throw new CheckpointFormatException(path, null, "config.json is missing");
        return HfGpt2Config.Read(path).ToGptConfig(path);
    }

    /// <summary>
    /// Builds a <see cref="Gpt"/> on <paramref name="device"/> (default <see cref="TorchRuntime.Device"/>) from an
    /// HF GPT-2 folder, checking every tensor's presence and shape.
    /// </summary>
    /// <param name="folder">The HF folder.</param>
    /// <param name="device">Where the model lives; default <see cref="TorchRuntime.Device"/>.</param>
    /// <param name="vocabularySize">
    /// Embedding rows the model needs, when the tokenizer has more ids than the checkpoint (our tokenizer appends
    /// a pad token to GPT-2's 50257, making 50258). The new rows are set to the mean of the existing ones, as HF's
    /// <c>resize_token_embeddings</c> does. Null keeps the checkpoint's size.
    /// </param>
    /// <param name="padTokenId">The tokenizer's pad id, which the model then never predicts (<see cref="GptConfig.PadTokenId"/>):
    /// with the mean row appended for it, the pad would otherwise take probability mass from every real token.</param>
    /// <exception cref="CheckpointFormatException">Not a GPT-2 folder, or a tensor is missing, unexpected or misshaped.</exception>
    public static Gpt Import(string folder, Device? device = null, int? vocabularySize = null, int? padTokenId = null)
    {
        var stored = ReadConfig(folder);
        var config = stored;
        if (vocabularySize is { } rows && rows != stored.VocabularySize)
        {
            if (rows < stored.VocabularySize)
                throw new ArgumentException(
                    $"{folder} has {stored.VocabularySize} embedding rows; shrinking to {rows} would drop trained tokens", nameof(vocabularySize));
            config = stored with { VocabularySize = rows };
        }
        if (padTokenId is not null) config = (config with { PadTokenId = padTokenId }).Validate();
        var weightsPath = Path.Combine(folder, Checkpoint.WeightsFile);
        if (!File.Exists(weightsPath)) throw new CheckpointFormatException(weightsPath, null, "model.safetensors is missing");
        var model = new Gpt(config, device ?? TorchRuntime.Device);
        try
        {
            using var scope = torch.NewDisposeScope();
            using var content = SafetensorsFile.Read(weightsPath, torch.CPU);
            var tensors = FromHfNames(content.Tensors, stored, weightsPath);
            if (config.VocabularySize > stored.VocabularySize)
                foreach (var name in new[] { "wte.weight", LanguageModelHeadKey })
                    if (tensors.TryGetValue(name, out var table) && table.dim() == 2 && table.shape[0] == stored.VocabularySize)
                        tensors[name] = AppendMeanRows(table, config.VocabularySize - stored.VocabularySize);
            StateDictLoader.Load(model, tensors, weightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// Writes <paramref name="model"/> as an HF GPT-2 folder: <c>config.json</c> (HF names),
    /// <c>model.safetensors</c> (HF keys with the <c>transformer.</c> prefix, Conv1D weights <c>[in, out]</c>,
    /// metadata <c>format: pt</c> as transformers requires) and the tokenizer files copied from
    /// <paramref name="tokenizerFolder"/>. The folder is written atomically.
    /// </summary>
    /// <param name="folder">Destination folder (replaced when complete).</param>
    /// <param name="model">The model; its <see cref="Gpt.Config"/> must have biases (GPT-2 always has).</param>
    /// <param name="tokenizerFolder">Folder holding <c>vocab.json</c> and <c>merges.txt</c> (and optionally <c>tokenizer_config.json</c>).</param>
    /// <param name="storeAs">Element type to store floating-point weights in (F32 by default; F16 or BF16 halve the size).</param>
    public static void Export(string folder, Gpt model, string tokenizerFolder, ScalarType storeAs = ScalarType.Float32)
    {
        var config = model.Config;
        var (endOfTextId, padId) = Checkpoint.SpecialTokenIds(tokenizerFolder);
        // A pad id beyond the embedding (GPT-2's own tokenizer plus our appended pad) is not written: transformers would reject it.
        var hfConfig = HfGpt2Config.FromGptConfig(config, endOfTextId, padId < config.VocabularySize ? padId : null, TorchDtypeName(storeAs));
        AtomicFile.WriteFolder(folder, temporary =>
        {
            using var scope = torch.NewDisposeScope();
            var tensors = ToHfNames(model.state_dict(), config)
                .ToDictionary(p => p.Key, p => p.Value.is_floating_point() ? p.Value.to(storeAs) : p.Value);
            SafetensorsFile.Write(Path.Combine(temporary, Checkpoint.WeightsFile), tensors,
                new Dictionary<string, string> { ["format"] = "pt" });
            hfConfig.Write(Path.Combine(temporary, Checkpoint.ConfigFile));
            Checkpoint.CopyTokenizerFiles(tokenizerFolder, temporary);
        });
    }

    /// <summary>
    /// Renames HF GPT-2 tensors to our <see cref="Gpt"/> state-dict names: strips <c>transformer.</c>, skips the
    /// causal-mask buffers, transposes Conv1D weights from <c>[in, out]</c> to <c>[out, in]</c>, and keeps
    /// <c>lm_head.weight</c> only for an untied model (for a tied one it must equal <c>wte.weight</c>).
    /// Shapes are not checked here; <see cref="StateDictLoader"/> does that with every name in view.
    /// </summary>
    /// <param name="hf">The HF file's tensors.</param>
    /// <param name="config">Our config for the model being filled.</param>
    /// <param name="sourceFile">The file the tensors came from, for error messages.</param>
    public static Dictionary<string, Tensor> FromHfNames(IReadOnlyDictionary<string, Tensor> hf, GptConfig config, string sourceFile)
    {
        var ours = new Dictionary<string, Tensor>();
        foreach (var (hfName, tensor) in hf)
        {
            if (hfName == LanguageModelHeadKey)
            {
                if (!config.TieWeights)
                {
                    ours[LanguageModelHeadKey] = tensor;
                    continue;
                }
                var embedding = hf.TryGetValue("wte.weight", out var wte) ? wte : hf.GetValueOrDefault(BackbonePrefix + "wte.weight");
                if (embedding is null || !embedding.shape.SequenceEqual(tensor.shape) || !embedding.eq(tensor).all().item<bool>())
                    throw new CheckpointFormatException(sourceFile, LanguageModelHeadKey,
                        "the config ties the LM head to wte.weight (tie_word_embeddings true) but this tensor differs from it");
                continue;
            }
            var name = hfName.StartsWith(BackbonePrefix, StringComparison.Ordinal) ? hfName[BackbonePrefix.Length..] : hfName;
            if (maskBuffers.Any(buffer => name.EndsWith("." + buffer, StringComparison.Ordinal))) continue;
            if (ours.ContainsKey(name))
                throw new CheckpointFormatException(sourceFile, hfName, $"appears both with and without the '{BackbonePrefix}' prefix");
            ours[name] = IsConv1dWeight(name) ? Transpose(sourceFile, hfName, tensor) : tensor;
        }
        return ours;
    }

    /// <summary>
    /// Renames our <see cref="Gpt"/> state dict to HF GPT-2 keys (<c>transformer.</c> prefix, Conv1D weights
    /// transposed to <c>[in, out]</c>, <c>lm_head.weight</c> only when untied). The returned tensors are new
    /// contiguous copies where transposed and the caller's own tensors otherwise.
    /// </summary>
    public static Dictionary<string, Tensor> ToHfNames(IReadOnlyDictionary<string, Tensor> ours, GptConfig config)
    {
        var hf = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in ours)
        {
            if (name == LanguageModelHeadKey)
            {
                if (config.TieWeights)
                    throw new ArgumentException($"the model ties its LM head but its state dict has '{LanguageModelHeadKey}'", nameof(ours));
                hf[LanguageModelHeadKey] = tensor;
                continue;
            }
            hf[BackbonePrefix + name] = IsConv1dWeight(name) ? tensor.detach().t().contiguous() : tensor;
        }
        return hf;
    }

    static bool IsConv1dWeight(string name) =>
        name.StartsWith("h.", StringComparison.Ordinal) && conv1dWeights.Any(suffix => name.EndsWith("." + suffix, StringComparison.Ordinal));

    static Tensor AppendMeanRows(Tensor table, long rows)
    {
        var asFloat = table.to(ScalarType.Float32);                                 // (V, C)
        var mean = asFloat.mean([0], keepdim: true).expand(rows, asFloat.shape[1]); // (rows, C)
        return torch.cat([asFloat, mean], 0);                                        // (V + rows, C)
    }

    static Tensor Transpose(string sourceFile, string name, Tensor weight) =>
        weight.dim() == 2
            ? weight.t().contiguous() // (in, out) -> (out, in)
            : throw new CheckpointFormatException(sourceFile, name, $"a Conv1D weight must be 2-D, got shape [{string.Join(", ", weight.shape)}]");

    static string TorchDtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => throw new ArgumentException($"weights can be stored as Float32, Float16 or BFloat16, not {type}", nameof(type)),
    };
}
