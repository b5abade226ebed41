using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Checkpoints;

/// <summary>
/// A trained reward model, ready to score: a <see cref="ScalarHeadModel"/> whose value at a sequence's last real
/// token is the raw reward, the <see cref="RewardNormalization"/> applied to it, and the tokenizer it was trained
/// with. A reward checkpoint folder is an ordinary <see cref="Checkpoint"/> folder (weights, <c>config.json</c>,
/// tokenizer) plus <c>reward_normalization.json</c>. The model is kept in eval mode and scores without gradients:
/// in PPO it is frozen.
/// </summary>
public sealed class RewardModel : IDisposable
{
    /// <summary>Wraps a scalar-head model (put in eval mode), its normalisation and its tokenizer.</summary>
    public RewardModel(ScalarHeadModel model, RewardNormalization normalization, TextTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Model = model;
        Normalization = normalization.Validate();
        Tokenizer = tokenizer;
        Template = new ChatTemplate(tokenizer);
        Model.eval();
    }

    /// <summary>The network: a GPT backbone and a scalar head.</summary>
    public ScalarHeadModel Model { get; }

    /// <summary>What turns raw scores into rewards.</summary>
    public RewardNormalization Normalization { get; }

    /// <summary>The tokenizer the model reads.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>The chat template over <see cref="Tokenizer"/> used by the text overloads of <see cref="Score(IReadOnlyList{ValueTuple{string, string}}, int)"/>.</summary>
    public ChatTemplate Template { get; }

    /// <summary>The device the weights live on.</summary>
    public Device Device => Model.Transformer.Device;

    /// <summary>Loads a reward checkpoint folder (weights, config, tokenizer and <c>reward_normalization.json</c>) onto
    /// <paramref name="device"/> (default <see cref="TorchRuntime.Device"/>).</summary>
    /// <exception cref="CheckpointFormatException">A file is missing or malformed (named in the message).</exception>
    public static RewardModel Load(string folder, Device? device = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"reward checkpoint folder {folder} does not exist");
        var normalization = RewardNormalizationFile.Read(folder);
        var tokenizer = TextTokenizer.Load(folder);
        var model = new ScalarHeadModel(Checkpoint.ReadConfig(folder), device ?? TorchRuntime.Device);
        try
        {
            Checkpoint.LoadInto(folder, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new RewardModel(model, normalization, tokenizer);
    }

    /// <summary>A copy with another normalisation sharing the same network (dispose only one of them).</summary>
    public RewardModel WithNormalization(RewardNormalization normalization) => new(Model, normalization, Tokenizer);

    /// <summary>
    /// Raw (unnormalised) score (B) at each row's last real token of <paramref name="inputIds"/> (B, T);
    /// <paramref name="attentionMask"/> (B, T) is 1 on real tokens, and the padding may be on either side.
    /// </summary>
    public Tensor RawScore(Tensor inputIds, Tensor attentionMask)
    {
        using var noGrad = no_grad();
        return Model.LastTokenValues(inputIds.to(Device), attentionMask.to(Device)); // (B)
    }

    /// <summary>
    /// Normalised reward (B) of each row of <paramref name="inputIds"/> (B, T), read at its last real token as marked
    /// by <paramref name="attentionMask"/> (B, T; left or right padding). Rows are whole chat sequences:
    /// <c>### Human: {prompt}\n### Assistant: {response}</c> ending, when the response finished, in end-of-text.
    /// </summary>
    public Tensor Score(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return Normalization.Apply(RawScore(inputIds, attentionMask)).MoveToOuterDisposeScope(); // (B)
    }

    /// <summary>
    /// Normalised rewards of (prompt, response) texts, encoded through the chat template (end-of-text appended, as in
    /// training; truncated to the context length as the template's policy says), in batches of <paramref name="batchSize"/>.
    /// </summary>
    public double[] Score(IReadOnlyList<(string Prompt, string Response)> conversations, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(conversations);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var rewards = new List<double>(conversations.Count);
        foreach (var chunk in conversations.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var batch = Encode(chunk);
            var ids = tensor(batch.InputIds, device: Device); // (B, T)
            var mask = tensor(batch.AttentionMask, device: Device); // (B, T)
            rewards.AddRange(Score(ids, mask).cpu().to(ScalarType.Float64).data<double>().ToArray());
        }
        return rewards.ToArray();
    }

    /// <summary>The normalised reward of one (prompt, response).</summary>
    public double Score(string prompt, string response) => Score([(prompt, response)])[0];

    /// <summary>Right-padded chat-template encodings of <paramref name="conversations"/>, cut to the context length.</summary>
    public PaddedBatch Encode(IReadOnlyList<(string Prompt, string Response)> conversations) =>
        BatchCollator.ForTraining(conversations.Select(c => Template.EncodeTraining(c.Prompt, c.Response, Model.Config.ContextLength)).ToList(), Tokenizer.PadId);

    /// <summary>Writes a reward checkpoint into <paramref name="folder"/>: weights (as <paramref name="storeAs"/>), config, tokenizer
    /// and normalisation. Other files already there (a training history, resumable checkpoints) are kept; each file is replaced whole.</summary>
    /// <param name="folder">Destination (created when missing).</param>
    /// <param name="metadata">Extra strings for the safetensors header; <c>stage</c> defaults to <c>rm</c>.</param>
    /// <param name="storeAs">Float32 (default), Float16 or BFloat16.</param>
    public void Save(string folder, IReadOnlyDictionary<string, string>? metadata = null, ScalarType storeAs = ScalarType.Float32)
    {
        SaveWeights(folder, Model, Tokenizer, metadata, storeAs);
        RewardNormalizationFile.Write(Normalization, folder);
    }

    /// <summary>
    /// Writes <paramref name="model"/>'s checkpoint files (weights, config, tokenizer; <c>stage</c> metadata <c>rm</c> unless given)
    /// into <paramref name="folder"/> without touching its other files: <see cref="Checkpoint.Save"/> fills a sibling staging
    /// folder, and each finished file is then moved in, replacing the old one.
    /// </summary>
    internal static void SaveWeights(string folder, ScalarHeadModel model, TextTokenizer tokenizer,
        IReadOnlyDictionary<string, string>? metadata, ScalarType storeAs)
    {
        var header = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>());
        header.TryAdd("stage", "rm");
        var full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        var staging = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.staging-{Guid.NewGuid():N}");
        var tokenizerFolder = Path.Combine(staging, "tokenizer");
        try
        {
            tokenizer.Save(tokenizerFolder);
            var checkpoint = Path.Combine(staging, "checkpoint");
            Checkpoint.Save(checkpoint, model, model.Config, tokenizerFolder, header, storeAs);
            Directory.CreateDirectory(full);
            foreach (var file in Directory.GetFiles(checkpoint))
                File.Move(file, Path.Combine(full, Path.GetFileName(file)), overwrite: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Frees the network's weights.</summary>
    public void Dispose() => Model.Dispose();
}
