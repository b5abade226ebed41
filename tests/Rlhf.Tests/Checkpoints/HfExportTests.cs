using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Checkpoints;

/// <summary>GPT-2 parity both ways: an HF GPT-2 imported here, and a checkpoint exported by <c>rlhf export</c>, give every real
/// token the log-prob an independent HF-layout forward pass (<see cref="HfReferenceForward"/>) gives it, to 1e-4.</summary>
public sealed class HfExportTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-hf-export-").FullName;

    public HfExportTests() => TorchRuntime.Init();

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Our log-probs (T, V) with the pad's column removed when the model has one beyond <paramref name="realTokens"/>.</summary>
    static Tensor OurLogProbs(Gpt model, long[] ids, int realTokens)
    {
        model.eval();
        using var noGrad = no_grad();
        using var input = tensor(ids, [1, ids.Length]);
        return model.forward(input)[0].log_softmax(-1).narrow(1, 0, realTokens).cpu();                    // (T, V_real)
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        float worst = (expected - actual).abs().max().item<float>();
        Assert.True(worst <= 1e-4, $"{what}: log-probs differ by up to {worst:E2} (must be <= 1e-4)");
    }

    [Fact]
    public void An_imported_tiny_gpt2_gives_the_hf_log_probs_to_1e_4()
    {
        var tokenizerFolder = Path.Combine(root, "tokenizer");
        int vocabulary = TinyHfGpt2.WriteTokenizer(tokenizerFolder).VocabularySize - 1; // GPT-2's own tokens; our loader appends the pad
        var hf = new TinyHfGpt2(vocabulary, seed: 11);
        var folder = Path.Combine(root, "hf");
        hf.Write(folder, tokenizerFolder, withPrefix: true);
        using var model = Checkpoint.LoadGpt(folder, CPU);
        long[] ids = [5, 17, 3, 40, 2, 9, 11, 0];
        var reference = HfReferenceForward.LogProbs(folder, ids);
        Assert.Equal(vocabulary, (int)reference.shape[1]);
        AssertClose(reference, OurLogProbs(model, ids, vocabulary), "imported tiny GPT-2");
    }

    [Fact]
    public void The_exported_sft_checkpoint_gives_our_log_probs_under_an_independent_hf_forward_pass()
    {
        var output = Path.Combine(root, "sft-hf");
        var (vocabulary, droppedPad) = HfExport.Write(Repo.Path("data", "checkpoints", "sft"), output);
        Assert.True(droppedPad);
        var tokenizer = TextTokenizer.Load(Repo.Path("data", "checkpoints", "sft"));
        Assert.Equal(tokenizer.VocabularySize - 1, vocabulary);
        var encoded = new ChatTemplate(tokenizer).EncodeTraining("What is 7 + 5?", "7 + 5 = 12.", 64);
        long[] ids = encoded.InputIds.Select(i => (long)i).ToArray();
        using var ours = Checkpoint.LoadGpt(Repo.Path("data", "checkpoints", "sft"), CPU);
        AssertClose(HfReferenceForward.LogProbs(output, ids), OurLogProbs(ours, ids, vocabulary), "exported SFT checkpoint");

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!;
        Assert.Equal(("gpt2", "GPT2LMHeadModel", vocabulary), (config["model_type"]!.GetValue<string>(), config["architectures"]![0]!.GetValue<string>(), config["vocab_size"]!.GetValue<int>()));
        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(output, HfExport.GenerationConfigFile)))!;
        Assert.Equal(tokenizer.EndOfTextId, generation["eos_token_id"]!.GetValue<int>());
        Assert.Equal(tokenizer.EndOfTextId, generation["pad_token_id"]!.GetValue<int>());
        var vocab = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "vocab.json")))!.AsObject();
        Assert.Equal(vocabulary, vocab.Count);
        Assert.True(vocab.All(p => p.Value!.GetValue<int>() < vocabulary), "every token id fits the exported embedding");
        Assert.Equal("<|endoftext|>", JsonNode.Parse(File.ReadAllText(Path.Combine(output, "tokenizer_config.json")))!["pad_token"]!.GetValue<string>());
    }

    [Fact]
    public void Cli_export_writes_the_folder_and_names_a_missing_model()
    {
        var output = Path.Combine(root, "cli");
        var (code, text) = Repo.RunCli(null, "export", "--model", Repo.Path("data", "checkpoints", "sft"), "--out", output);
        Assert.True(code == 0, text);
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")) && File.Exists(Path.Combine(output, "merges.txt")));
        var (bad, badText) = Repo.RunCli(null, "export", "--model", Path.Combine(root, "nowhere"), "--out", output + "-2");
        Assert.Equal(1, bad);
        Assert.Contains("nowhere", badText);
    }
}
