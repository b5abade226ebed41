using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Models;
using Rlhf.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>
/// Writes a checkpoint the way a Hugging Face user loads it: <c>GPT2LMHeadModel.from_pretrained(folder)</c> and
/// <c>AutoTokenizer.from_pretrained(folder)</c>, then TRL, OpenRLHF or DeepSpeed-Chat carry on from it (docs/scale.md).
/// </summary>
/// <remarks>
/// Our models never predict the pad token (its logit is masked out of every softmax, docs/model.md), but transformers
/// would keep its row in the normaliser. So the pad row, the last one, is left out: the exported model has one row fewer,
/// its softmax runs over exactly the tokens ours does, and pad is <c>&lt;|endoftext|&gt;</c> as is GPT-2's convention. The
/// log-probs of every real token are then the same (tested against an independent forward pass of the HF layout).
/// </remarks>
public static class HfExport
{
    /// <summary>The generation settings file transformers reads beside the model.</summary>
    public const string GenerationConfigFile = "generation_config.json";

    /// <summary>Exports the checkpoint folder <paramref name="checkpointFolder"/> (ours, any stage) into <paramref name="outputFolder"/>.</summary>
    /// <returns>The exported vocabulary size and whether a pad row was left out.</returns>
    public static (int VocabularySize, bool DroppedPadRow) Write(string checkpointFolder, string outputFolder)
    {
        using var model = Checkpoint.LoadGpt(checkpointFolder, CPU);
        var tokenizer = TextTokenizer.Load(checkpointFolder);
        var config = model.Config;
        int? pad = config.PadTokenId ?? tokenizer.PadId;
        bool dropPad = pad == config.VocabularySize - 1;
        var exported = dropPad ? config with { VocabularySize = config.VocabularySize - 1, PadTokenId = null } : config;
        var hfConfig = HfGpt2Config.FromGptConfig(exported, tokenizer.EndOfTextId, dropPad ? tokenizer.EndOfTextId : pad, "float32");
        AtomicFile.WriteFolder(outputFolder, temporary =>
        {
            using var scope = NewDisposeScope();
            var tensors = HfGpt2.ToHfNames(model.state_dict(), config).ToDictionary(
                p => p.Key,
                p => dropPad && (p.Key == HfGpt2.BackbonePrefix + "wte.weight" || p.Key == HfGpt2.LanguageModelHeadKey)
                    ? p.Value.narrow(0, 0, exported.VocabularySize).contiguous() // (V - 1, C): every row but the pad's
                    : p.Value);
            SafetensorsFile.Write(Path.Combine(temporary, Checkpoint.WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
            hfConfig.Write(Path.Combine(temporary, Checkpoint.ConfigFile));
            WriteTokenizer(checkpointFolder, temporary, tokenizer, dropPad ? pad : null);
            var generation = new JsonObject
            {
                ["bos_token_id"] = tokenizer.EndOfTextId, ["eos_token_id"] = tokenizer.EndOfTextId,
                ["pad_token_id"] = dropPad ? tokenizer.EndOfTextId : pad,
            };
            File.WriteAllText(Path.Combine(temporary, GenerationConfigFile), generation.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        });
        return (exported.VocabularySize, dropPad);
    }

    /// <summary>vocab.json and tokenizer_config.json without the pad token when its row was left out (pad = end-of-text, GPT-2's
    /// convention), merges.txt as it is.</summary>
    static void WriteTokenizer(string from, string to, TextTokenizer tokenizer, int? droppedPad)
    {
        File.Copy(Path.Combine(from, TokenizerFiles.MergesFile), Path.Combine(to, TokenizerFiles.MergesFile));
        var vocabulary = JsonNode.Parse(File.ReadAllText(Path.Combine(from, TokenizerFiles.VocabFile)))!.AsObject();
        var tokenizerConfig = File.Exists(Path.Combine(from, TokenizerFiles.ConfigFile))
            ? JsonNode.Parse(File.ReadAllText(Path.Combine(from, TokenizerFiles.ConfigFile)))!.AsObject()
            : new JsonObject { ["tokenizer_class"] = "GPT2Tokenizer", ["add_prefix_space"] = false };
        string endOfText = tokenizer.TokenText(tokenizer.EndOfTextId);
        if (droppedPad is int pad)
        {
            var padToken = vocabulary.FirstOrDefault(p => p.Value!.GetValue<int>() == pad).Key;
            if (padToken is not null) vocabulary.Remove(padToken);
            (tokenizerConfig["added_tokens_decoder"] as JsonObject)?.Remove(pad.ToString(System.Globalization.CultureInfo.InvariantCulture));
            tokenizerConfig["pad_token"] = endOfText;
        }
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(to, TokenizerFiles.VocabFile), vocabulary.ToJsonString());
        File.WriteAllText(Path.Combine(to, TokenizerFiles.ConfigFile), tokenizerConfig.ToJsonString(indented) + "\n");
    }
}
