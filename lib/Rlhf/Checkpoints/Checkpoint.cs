using System.Text.Json;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>
/// The project's checkpoint folder, what every stage reads and writes:
/// <code>
/// model.safetensors      weights under the model's own state-dict names (+ __metadata__ strings)
/// config.json            the GptConfig (snake_case JSON)
/// vocab.json merges.txt  the tokenizer, copied beside the weights (+ tokenizer_config.json when it has one)
/// </code>
/// Saving is atomic: the new folder is filled beside the old one and swapped in only when complete.
/// Loading checks every expected tensor's presence and shape and names what is missing or unexpected.
/// <see cref="LoadGpt"/> also accepts an HF GPT-2 folder (see <see cref="HfGpt2"/>).
/// </summary>
public static class Checkpoint
{
    /// <summary>The weights file's name.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The model config's file name (ours or HF's).</summary>
    public const string ConfigFile = "config.json";

    static readonly string[] requiredTokenizerFiles = [TokenizerFiles.VocabFile, TokenizerFiles.MergesFile];
    static readonly string[] optionalTokenizerFiles = [TokenizerFiles.ConfigFile, "special_tokens_map.json"];

    static readonly JsonSerializerOptions json = new() { WriteIndented = true };

    /// <summary>
    /// Saves <paramref name="model"/> (a <see cref="Gpt"/>, a scalar-head model, any module) with its config and
    /// tokenizer into <paramref name="folder"/>, atomically: a previous checkpoint there stays intact until the new
    /// one is complete.
    /// </summary>
    /// <param name="folder">Destination folder.</param>
    /// <param name="model">The module whose <c>state_dict()</c> is saved.</param>
    /// <param name="config">The backbone's config, written as <c>config.json</c>.</param>
    /// <param name="tokenizerFolder">Folder with <c>vocab.json</c> and <c>merges.txt</c> (may be a checkpoint folder, even <paramref name="folder"/> itself).</param>
    /// <param name="metadata">Free-form strings kept in the safetensors header (e.g. stage, step); <c>format</c> is set to <c>pt</c>.</param>
    /// <param name="storeAs">Element type for floating-point weights: Float32 (default), Float16 or BFloat16.</param>
    public static void Save(string folder, nn.Module model, GptConfig config, string tokenizerFolder,
        IReadOnlyDictionary<string, string>? metadata = null, ScalarType storeAs = ScalarType.Float32)
    {
        config.Validate();
        if (storeAs is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"weights can be stored as Float32, Float16 or BFloat16, not {storeAs}", nameof(storeAs));
        foreach (var file in Gpt2Bpe.UsesPackagedVocabulary(tokenizerFolder) ? [] : requiredTokenizerFiles)
            if (!File.Exists(Path.Combine(tokenizerFolder, file)))
                throw new FileNotFoundException($"{Path.Combine(tokenizerFolder, file)} is missing: a checkpoint needs its tokenizer's {file}");
        var header = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["format"] = "pt" };

        AtomicFile.WriteFolder(folder, temporary =>
        {
            using (var scope = torch.NewDisposeScope())
            {
                var tensors = model.state_dict()
                    .ToDictionary(p => p.Key, p => p.Value.is_floating_point() ? p.Value.to(storeAs) : p.Value);
                SafetensorsFile.Write(Path.Combine(temporary, WeightsFile), tensors, header);
            }
            AtomicFile.WriteText(Path.Combine(temporary, ConfigFile), JsonSerializer.Serialize(config, json) + "\n");
            CopyTokenizerFiles(tokenizerFolder, temporary);
        });
    }

    /// <summary>The config.json fields that decide the model's shape; all must be present (dropout and pad_token_id may be absent).</summary>
    public static IReadOnlyList<string> ArchitectureFields { get; } =
        ["layers", "heads", "embedding_size", "context_length", "vocabulary_size", "bias", "tie_weights", "layer_norm_epsilon"];

    /// <summary>Reads our <c>config.json</c> from a checkpoint folder, validated.</summary>
    /// <exception cref="CheckpointFormatException">Missing, not JSON, an HF config, a missing architecture field, or out of
    /// range; the message names the file and field.</exception>
    public static GptConfig ReadConfig(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path)) throw new CheckpointFormatException(path, null, "config.json is missing");
        if (HfGpt2.IsHfFolder(folder))
            throw new CheckpointFormatException(path, null, "this is a Hugging Face config; read it with HfGpt2.ReadConfig or load with Checkpoint.LoadGpt");
        try
        {
            var text = File.ReadAllText(path);
            var fields = System.Text.Json.Nodes.JsonNode.Parse(text) as System.Text.Json.Nodes.JsonObject
                         ?? throw new CheckpointFormatException(path, null, "config.json is not a JSON object");
            // Every architecture field must be stated: a default silently standing in for a missing one builds another model.
            foreach (var field in ArchitectureFields)
                if (!fields.ContainsKey(field))
                    throw new CheckpointFormatException(path, null, $"config.json has no \"{field}\": every architecture field ({string.Join(", ", ArchitectureFields)}) is required");
            var config = JsonSerializer.Deserialize<GptConfig>(text)
                         ?? throw new CheckpointFormatException(path, null, "config.json is empty (null)");
            // Checkpoints written before pad_token_id existed: the pad id is the saved tokenizer's.
            if (config.PadTokenId is null && File.Exists(Path.Combine(folder, TokenizerFiles.VocabFile))
                && SpecialTokenIds(folder).PadId is var padId && padId < config.VocabularySize)
                config = config with { PadTokenId = padId };
            return config.Validate();
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, null, $"config.json line {e.LineNumber + 1}, field {e.Path}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, null, e.Message, e);
        }
    }

    /// <summary>The <c>__metadata__</c> strings saved with the weights.</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string folder) =>
        SafetensorsHeader.Read(WeightsPath(folder)).Metadata;

    /// <summary>
    /// Fills an already-built <paramref name="model"/> from our checkpoint folder's weights, after checking that
    /// every tensor the model expects is there with its shape and that nothing else is.
    /// </summary>
    /// <exception cref="CheckpointFormatException">A tensor is missing, unexpected or misshaped, or the file is malformed.</exception>
    public static void LoadInto(string folder, nn.Module model)
    {
        var path = WeightsPath(folder);
        var header = SafetensorsHeader.Read(path);
        StateDictLoader.Check(
            model.state_dict().ToDictionary(p => p.Key, p => p.Value.shape),
            header.Entries.ToDictionary(e => e.Name, e => e.Shape), path);
        using var content = SafetensorsFile.Read(path, torch.CPU);
        StateDictLoader.Load(model, content.Tensors, path);
    }

    /// <summary>
    /// Loads a language model from our checkpoint folder or from an HF GPT-2 folder (told apart by
    /// <c>config.json</c>), on <paramref name="device"/> (default <see cref="TorchRuntime.Device"/>).
    /// An HF model gets as many embedding rows as the folder's tokenizer has ids: GPT-2's 50257 plus the pad
    /// token our tokenizer appends (see <see cref="HfGpt2.Import"/> for how the new row is set), so every id
    /// the tokenizer and collator produce can be embedded.
    /// </summary>
    public static Gpt LoadGpt(string folder, Device? device = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"checkpoint folder {folder} does not exist");
        if (HfGpt2.IsHfFolder(folder))
        {
            int rows = HfGpt2.ReadConfig(folder).VocabularySize;
            int? padId = null;
            if (TokenizerFiles.Exists(folder))
            {
                var tokenizer = TextTokenizer.Load(folder);
                rows = Math.Max(rows, tokenizer.VocabularySize);
                padId = tokenizer.PadId;
            }
            return HfGpt2.Import(folder, device, rows, padId);
        }
        var model = new Gpt(ReadConfig(folder), device ?? TorchRuntime.Device);
        try
        {
            LoadInto(folder, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Copies <c>vocab.json</c>, <c>merges.txt</c> and, when present, <c>tokenizer_config.json</c> and
    /// <c>special_tokens_map.json</c> from <paramref name="tokenizerFolder"/> into <paramref name="destination"/>; for a GPT-2
    /// folder without them (<see cref="Gpt2Bpe.UsesPackagedVocabulary"/>), writes GPT-2's packaged vocabulary.</summary>
    public static void CopyTokenizerFiles(string tokenizerFolder, string destination)
    {
        if (Gpt2Bpe.UsesPackagedVocabulary(tokenizerFolder))
        {
            TokenizerFiles.Write(Gpt2Bpe.Vocabulary, destination); // GPT-2 without files: the checkpoint carries them from here on
            return;
        }
        foreach (var file in requiredTokenizerFiles.Concat(optionalTokenizerFiles))
        {
            var source = Path.Combine(tokenizerFolder, file);
            if (File.Exists(source)) File.Copy(source, Path.Combine(destination, file), overwrite: true);
            else if (requiredTokenizerFiles.Contains(file))
                throw new FileNotFoundException($"{source} is missing: a checkpoint needs its tokenizer's {file}", source);
        }
    }

    /// <summary>The end-of-text and pad ids of the tokenizer in <paramref name="tokenizerFolder"/>.</summary>
    public static (int EndOfTextId, int PadId) SpecialTokenIds(string tokenizerFolder)
    {
        var tokenizer = TextTokenizer.Load(tokenizerFolder);
        return (tokenizer.EndOfTextId, tokenizer.PadId);
    }

    static string WeightsPath(string folder)
    {
        var path = Path.Combine(folder, WeightsFile);
        return File.Exists(path) ? path : throw new CheckpointFormatException(path, null, "model.safetensors is missing");
    }
}
