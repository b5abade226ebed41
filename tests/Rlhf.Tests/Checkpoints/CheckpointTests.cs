using Rlhf.Text;
using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-checkpoint-").FullName;
    readonly string tokenizerFolder;
    readonly GptConfig config;

    public CheckpointTests()
    {
        TorchRuntime.Init();
        tokenizerFolder = Path.Combine(root, "tokenizer");
        var vocabularySize = TinyHfGpt2.WriteTokenizer(tokenizerFolder).VocabularySize;
        config = new GptConfig { Layers = 2, Heads = 2, EmbeddingSize = 8, ContextLength = 16, VocabularySize = vocabularySize };
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    static byte[] Bytes(Tensor t) => t.cpu().contiguous().bytes.ToArray();

    [Fact]
    public void Save_then_load_gives_the_same_weights_config_metadata_and_tokenizer_files()
    {
        torch.manual_seed(11);
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "sft");
        Checkpoint.Save(folder, model, config, tokenizerFolder, new Dictionary<string, string> { ["stage"] = "sft", ["step"] = "120" });

        Assert.Equal(["config.json", "merges.txt", "model.safetensors", "tokenizer_config.json", "vocab.json"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        // config.json written without pad_token_id reads back with the saved tokenizer's pad id, which the model never predicts.
        Assert.Equal(config with { PadTokenId = TextTokenizer.Load(folder).PadId }, Checkpoint.ReadConfig(folder));
        var metadata = Checkpoint.ReadMetadata(folder);
        Assert.Equal(("sft", "120", "pt"), (metadata["stage"], metadata["step"], metadata["format"]));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tokenizerFolder, "vocab.json")), File.ReadAllBytes(Path.Combine(folder, "vocab.json")));

        using var loaded = Checkpoint.LoadGpt(folder);
        var expected = model.state_dict();
        foreach (var (name, tensor) in loaded.state_dict())
            Assert.True(Bytes(expected[name]).SequenceEqual(Bytes(tensor)), $"{name} differs");
        Assert.Equal(expected.Keys.Order(), loaded.state_dict().Keys.Order());
    }

    [Fact]
    public void The_config_file_is_the_gpt_config_json()
    {
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "cfg");
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json")));
        Assert.Equal(2, document.RootElement.GetProperty("layers").GetInt32());
        Assert.Equal(8, document.RootElement.GetProperty("embedding_size").GetInt32());
        Assert.False(document.RootElement.TryGetProperty("model_type", out _));
    }

    [Fact]
    public void Saving_in_half_precision_stores_f16_and_loads_the_rounded_values()
    {
        torch.manual_seed(12);
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "f16");
        Checkpoint.Save(folder, model, config, tokenizerFolder, storeAs: ScalarType.Float16);
        Assert.All(SafetensorsHeader.Read(Path.Combine(folder, "model.safetensors")).Entries, e => Assert.Equal("F16", e.Dtype));

        using var loaded = Checkpoint.LoadGpt(folder);
        var expected = model.state_dict();
        foreach (var (name, tensor) in loaded.state_dict())
        {
            using var rounded = expected[name].to(ScalarType.Float16).to(ScalarType.Float32);
            Assert.True(Bytes(rounded).SequenceEqual(Bytes(tensor)), $"{name} differs");
        }
    }

    [Fact]
    public void Loading_into_a_model_of_another_shape_names_the_first_wrong_tensor()
    {
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "shape");
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        using var wider = new Gpt(config with { ContextLength = 32 }, TorchRuntime.Device);

        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadInto(folder, wider));
        Assert.Equal("wpe.weight", error.TensorName);
        Assert.Contains("shape [16, 8] where the model expects [32, 8]", error.Message);
        Assert.Equal(Path.Combine(folder, "model.safetensors"), error.FilePath);
    }

    [Fact]
    public void Loading_names_missing_and_unexpected_tensors()
    {
        using var tied = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "tied");
        Checkpoint.Save(folder, tied, config, tokenizerFolder);
        using var untied = new Gpt(config with { TieWeights = false }, TorchRuntime.Device);

        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadInto(folder, untied));
        Assert.Equal("lm_head.weight", error.TensorName);
        Assert.Contains("missing tensor(s): lm_head.weight", error.Message);
    }

    [Fact]
    public void Saving_over_a_checkpoint_replaces_it_whole_and_a_failed_save_keeps_the_old_one()
    {
        var folder = Path.Combine(root, "ckpt");
        torch.manual_seed(1);
        using var first = new Gpt(config, TorchRuntime.Device);
        Checkpoint.Save(folder, first, config, tokenizerFolder, new Dictionary<string, string> { ["step"] = "1" });
        File.WriteAllText(Path.Combine(folder, "stale.txt"), "left over");
        var firstWeights = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));

        // A save that fails half way (the fill throws) leaves the previous checkpoint exactly as it was.
        Assert.Throws<IOException>(() => AtomicFile.WriteFolder(folder, temporary =>
        {
            File.WriteAllText(Path.Combine(temporary, "model.safetensors"), "half");
            throw new IOException("disk full");
        }));
        Assert.Equal(firstWeights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(folder, "stale.txt")));
        Assert.Equal(["ckpt", "tokenizer"], Directory.GetDirectories(root).Select(Path.GetFileName).Order());

        torch.manual_seed(2);
        using var second = new Gpt(config, TorchRuntime.Device);
        Checkpoint.Save(folder, second, config, tokenizerFolder, new Dictionary<string, string> { ["step"] = "2" });
        Assert.Equal("2", Checkpoint.ReadMetadata(folder)["step"]);
        Assert.False(File.Exists(Path.Combine(folder, "stale.txt")));
        Assert.NotEqual(firstWeights, File.ReadAllBytes(Path.Combine(folder, "model.safetensors")));
        Assert.Equal(["ckpt", "tokenizer"], Directory.GetDirectories(root).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_checkpoint_can_be_saved_over_the_folder_its_tokenizer_comes_from()
    {
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "self");
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        Checkpoint.Save(folder, model, config, tokenizerFolder: folder);
        Assert.Equal(File.ReadAllBytes(Path.Combine(tokenizerFolder, "merges.txt")), File.ReadAllBytes(Path.Combine(folder, "merges.txt")));
    }

    [Fact]
    public void A_bad_config_is_reported_with_file_and_field()
    {
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "badcfg");
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        File.WriteAllText(Path.Combine(folder, "config.json"), """
            {"layers": 2, "heads": 3, "embedding_size": 8, "context_length": 16, "vocabulary_size": 270, "bias": true,
             "tie_weights": true, "layer_norm_epsilon": 1e-5}
            """);
        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.ReadConfig(folder));
        Assert.Equal(Path.Combine(folder, "config.json"), error.FilePath);
        Assert.Contains("embedding_size", error.Message);
    }

    [Theory]
    [InlineData("{}", "layers")]
    [InlineData("""{"layers": 2, "embedding_size": 8, "context_length": 16, "vocabulary_size": 270, "bias": true, "tie_weights": true, "layer_norm_epsilon": 1e-5}""", "heads")]
    public void A_config_without_an_architecture_field_is_refused_naming_it(string json, string field)
    {
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "partial-" + field);
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.ReadConfig(folder));
        Assert.Contains($"no \"{field}\"", error.Message);
    }

    [Fact]
    public void Weights_that_are_not_finite_are_refused_at_load_naming_the_tensor()
    {
        using var model = new Gpt(config, TorchRuntime.Device);
        using (torch.no_grad()) model.named_parameters().First(p => p.name == "h.1.mlp.c_fc.weight").parameter[0, 0] = float.PositiveInfinity;
        var folder = Path.Combine(root, "diverged");
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadGpt(folder));
        Assert.Contains("h.1.mlp.c_fc.weight", error.Message);
        Assert.Contains("NaN or infinite", error.Message);
    }

    [Fact]
    public void LoadGpt_reads_an_hf_folder_too()
    {
        var hf = new TinyHfGpt2(config.VocabularySize, seed: 3);
        var folder = Path.Combine(root, "hf");
        hf.Write(folder, tokenizerFolder, withPrefix: true);
        using var model = Checkpoint.LoadGpt(folder);
        Assert.Equal(hf.Weights["ln_f.bias"].Values, model.state_dict()["ln_f.bias"].cpu().data<float>().ToArray());
    }

    [Fact]
    public void A_scalar_head_model_saves_and_loads_and_is_not_mistaken_for_a_language_model()
    {
        torch.manual_seed(13);
        using var reward = new ScalarHeadModel(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "reward");
        Checkpoint.Save(folder, reward, config, tokenizerFolder, new Dictionary<string, string> { ["stage"] = "reward" });

        torch.manual_seed(14);
        using var loaded = new ScalarHeadModel(config, TorchRuntime.Device);
        Checkpoint.LoadInto(folder, loaded);
        var expected = reward.state_dict();
        Assert.Contains("score.weight", expected.Keys);
        foreach (var (name, tensor) in loaded.state_dict())
            Assert.True(Bytes(expected[name]).SequenceEqual(Bytes(tensor)), $"{name} differs");

        var error = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadGpt(folder).Dispose());
        Assert.Contains("28 missing tensor(s): h.0.attn.c_attn.bias", error.Message);
        Assert.Contains("and 16 more", error.Message);
        Assert.Contains("30 unexpected tensor(s): score.bias, score.weight", error.Message);
    }

    [Fact]
    public void LoadGpt_gives_an_hf_model_a_row_for_every_tokenizer_id()
    {
        // Like GPT-2: the checkpoint has one row fewer than our tokenizer, which appends a pad token.
        var hf = new TinyHfGpt2(config.VocabularySize - 1, seed: 4);
        var folder = Path.Combine(root, "hf-short");
        hf.Write(folder, tokenizerFolder, withPrefix: false);
        using var model = Checkpoint.LoadGpt(folder);
        Assert.Equal(config.VocabularySize, model.Config.VocabularySize);
        var stored = hf.Weights["wte.weight"].Values;
        Assert.Equal(stored, model.state_dict()["wte.weight"].cpu().data<float>().ToArray()[..stored.Length]);
    }

    [Fact]
    public void Saving_and_loading_leave_no_live_tensors_behind()
    {
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "leak");
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        Checkpoint.LoadInto(folder, model);
        var statistics = DisposeScopeManager.Statistics;
        long before = statistics.ThreadTotalLiveCount;

        for (int i = 0; i < 3; i++)
        {
            Checkpoint.Save(folder, model, config, tokenizerFolder);
            Checkpoint.LoadInto(folder, model);
            using var loaded = Checkpoint.LoadGpt(folder);
        }

        Assert.Equal(before, statistics.ThreadTotalLiveCount);
    }
}
