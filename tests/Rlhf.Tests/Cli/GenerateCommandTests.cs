using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Tests.Checkpoints;
using Rlhf.Text;
using Rlhf.Torch;
using TorchSharp;

namespace Rlhf.Tests.Cli;

/// <summary><c>rlhf generate</c> run as a subprocess on a tiny checkpoint this test writes.</summary>
public sealed class GenerateCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-generate-").FullName;
    readonly string checkpoint;
    readonly TextTokenizer tokenizer;
    readonly Gpt model;

    public GenerateCommandTests()
    {
        TorchRuntime.Init();
        var tokenizerFolder = Path.Combine(root, "tokenizer");
        tokenizer = TinyHfGpt2.WriteTokenizer(tokenizerFolder);
        var config = new GptConfig { Layers = 2, Heads = 2, EmbeddingSize = 16, ContextLength = 64, VocabularySize = tokenizer.VocabularySize, PadTokenId = tokenizer.PadId };
        torch.manual_seed(21);
        model = new Gpt(config, TorchRuntime.Device);
        // Larger weights than GPT-2's 0.02 init so the next-token distribution is far from uniform.
        using (torch.no_grad())
            foreach (var (_, parameter) in model.named_parameters())
                if (parameter.dim() == 2) parameter.mul_(25);
        checkpoint = Path.Combine(root, "checkpoint");
        Checkpoint.Save(checkpoint, model, config, tokenizerFolder);
    }

    public void Dispose()
    {
        model.Dispose();
        Directory.Delete(root, recursive: true);
    }

    sealed record Output(string Text, int[] PromptIds, int[] GeneratedIds, float[] LogProbs);

    static Output Generate(params string[] args)
    {
        var (exitCode, output) = Repo.RunCli(null, ["generate", .. args, "--json"]);
        Assert.True(exitCode == 0, output);
        var line = output.Split('\n').Single(l => l.StartsWith('{'));
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal(["text", "prompt_ids", "generated_ids", "logprobs"], root.EnumerateObject().Select(p => p.Name));
        return new Output(root.GetProperty("text").GetString()!,
            root.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            root.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            root.GetProperty("logprobs").EnumerateArray().Select(e => e.GetSingle()).ToArray());
    }

    /// <summary>Log-probability of each generated token, recomputed in this process from the model's logits / temperature,
    /// and whether each generated token was the argmax.</summary>
    (float[] LogProbs, bool[] IsArgmax) Recompute(Output output, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        long[] all = [.. output.PromptIds.Select(i => (long)i), .. output.GeneratedIds.Select(i => (long)i)];
        var logits = model.forward(torch.tensor(all, [1, all.Length], device: model.Device))[0].cpu(); // (T, V)
        var logProbs = (logits / temperature).log_softmax(-1);                                          // (T, V)
        int p = output.PromptIds.Length;
        var values = new float[output.GeneratedIds.Length];
        var isArgmax = new bool[output.GeneratedIds.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = logProbs[p - 1 + i, output.GeneratedIds[i]].item<float>();
            isArgmax[i] = logits[p - 1 + i].argmax().item<long>() == output.GeneratedIds[i];
        }
        return (values, isArgmax);
    }

    [Fact]
    public void Greedy_json_is_deterministic_decodes_to_its_text_and_gives_untempered_log_probs()
    {
        var first = Generate("--model", checkpoint, "--prompt", "the cat", "--greedy", "--max-new", "12");
        var second = Generate("--model", checkpoint, "--prompt", "the cat", "--greedy", "--max-new", "12");

        Assert.Equal(first.GeneratedIds, second.GeneratedIds);
        Assert.Equal(first.LogProbs, second.LogProbs);
        Assert.Equal(tokenizer.Encode("the cat"), first.PromptIds);
        Assert.Equal(tokenizer.Decode(first.GeneratedIds, skipSpecialTokens: true), first.Text);
        Assert.Equal(first.GeneratedIds.Length, first.LogProbs.Length);
        Assert.InRange(first.GeneratedIds.Length, 1, 12);
        Assert.True(first.GeneratedIds.Length == 12 || first.GeneratedIds[^1] == tokenizer.EndOfTextId);

        var (expected, isArgmax) = Recompute(first, temperature: 1);
        Assert.All(isArgmax, Assert.True);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], first.LogProbs[i], 3e-4f);
    }

    [Fact]
    public void Sampling_with_the_same_seed_repeats_and_log_probs_are_tempered()
    {
        string[] args = ["--model", checkpoint, "--prompt", "a dog", "--temperature", "2", "--max-new", "16"];
        var first = Generate([.. args, "--seed", "5"]);
        var again = Generate([.. args, "--seed", "5"]);
        var other = Generate([.. args, "--seed", "6"]);

        Assert.Equal(first.GeneratedIds, again.GeneratedIds);
        Assert.Equal(first.LogProbs, again.LogProbs);
        Assert.NotEqual(first.GeneratedIds, other.GeneratedIds);
        Assert.Equal(tokenizer.Decode(other.GeneratedIds, skipSpecialTokens: true), other.Text);

        var (tempered, _) = Recompute(first, temperature: 2);
        for (int i = 0; i < tempered.Length; i++) Assert.Equal(tempered[i], first.LogProbs[i], 3e-4f);
        var (untempered, _) = Recompute(first, temperature: 1);
        Assert.NotEqual(untempered[0], first.LogProbs[0], 3e-4f);
    }

    [Fact]
    public void Chat_wraps_the_prompt_in_the_chat_template()
    {
        var output = Generate("--model", checkpoint, "--prompt", "where is the cat?", "--chat", "--greedy", "--max-new", "4");
        Assert.Equal(new ChatTemplate(tokenizer).EncodePrompt("where is the cat?").InputIds, output.PromptIds);
        Assert.Equal(tokenizer.Encode(ChatTemplate.FormatPrompt("where is the cat?")), output.PromptIds);
    }

    [Fact]
    public void An_hf_export_of_the_checkpoint_generates_the_same_tokens()
    {
        var hfFolder = Path.Combine(root, "hf");
        HfGpt2.Export(hfFolder, model, checkpoint);
        string[] args = ["--prompt", "the mat", "--temperature", "0.8", "--top-k", "50", "--top-p", "0.9", "--seed", "3", "--max-new", "10"];
        var ours = Generate(["--model", checkpoint, .. args]);
        var hf = Generate(["--model", hfFolder, .. args]);
        Assert.Equal(ours.GeneratedIds, hf.GeneratedIds);
        Assert.Equal(ours.Text, hf.Text);
    }

    [Fact]
    public void Plain_output_is_the_completion_text()
    {
        var json = Generate("--model", checkpoint, "--prompt", "the cat", "--greedy", "--max-new", "6");
        var (exitCode, output) = Repo.RunCli(null, "generate", "--model", checkpoint, "--prompt", "the cat", "--greedy", "--max-new", "6");
        Assert.Equal(0, exitCode);
        Assert.Equal(json.Text + "\n", output);
    }

    [Fact]
    public void Greedy_with_sampling_options_and_a_missing_folder_are_refused_clearly()
    {
        var (conflictCode, conflict) = Repo.RunCli(null, "generate", "--model", checkpoint, "--prompt", "x", "--greedy", "--temperature", "0.5");
        Assert.Equal(2, conflictCode);
        Assert.Contains("--greedy cannot be combined", conflict);

        var missing = Path.Combine(root, "nowhere");
        var (missingCode, message) = Repo.RunCli(null, "generate", "--model", missing, "--prompt", "x");
        Assert.Equal(1, missingCode);
        Assert.Contains(missing, message);
    }
}
