using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Checkpoints;

public sealed class HfGpt2Tests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("rlhf-hfgpt2-").FullName;
    readonly string tokenizerFolder;
    readonly int vocabularySize;

    public HfGpt2Tests()
    {
        TorchRuntime.Init();
        tokenizerFolder = Path.Combine(root, "tokenizer");
        vocabularySize = TinyHfGpt2.WriteTokenizer(tokenizerFolder).VocabularySize;
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    static readonly string[] conv1d = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];

    /// <summary>A model whose parameters are set straight from the HF arrays, transposing Conv1D weights by hand.</summary>
    static Gpt SetDirectly(TinyHfGpt2 hf, GptConfig config)
    {
        var model = new Gpt(config, TorchRuntime.Device);
        var parameters = model.state_dict();
        Assert.Equal(hf.Weights.Keys.Order(), parameters.Keys.Order());
        using var noGrad = torch.no_grad();
        foreach (var (name, (values, shape)) in hf.Weights)
        {
            var ours = conv1d.Any(name.EndsWith) ? TinyHfGpt2.TransposeByHand(values, shape[0], shape[1]) : values;
            var oursShape = conv1d.Any(name.EndsWith) ? new[] { shape[1], shape[0] } : shape;
            using var source = torch.tensor(ours, oursShape);
            parameters[name].copy_(source);
        }
        return model;
    }

    static Tensor Logits(Gpt model, long[] ids)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var input = torch.tensor(ids, [1, ids.Length], device: model.Device);
        return model.forward(input).cpu();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Imported_logits_equal_those_of_a_model_set_directly_from_the_same_arrays(bool withPrefix)
    {
        var hf = new TinyHfGpt2(vocabularySize, seed: 7);
        var folder = Path.Combine(root, "hf");
        hf.Write(folder, tokenizerFolder, withPrefix);

        using var imported = HfGpt2.Import(folder);
        var config = imported.Config;
        Assert.Equal((TinyHfGpt2.Layers, TinyHfGpt2.Heads, TinyHfGpt2.Width, TinyHfGpt2.Positions, vocabularySize, true),
            (config.Layers, config.Heads, config.EmbeddingSize, config.ContextLength, config.VocabularySize, config.TieWeights));
        using var direct = SetDirectly(hf, config);

        long[] ids = [5, 17, 3, 200, 42, 9, 0, 11];
        using var importedLogits = Logits(imported, ids);
        using var directLogits = Logits(direct, ids);
        Assert.Equal(new long[] { 1, ids.Length, vocabularySize }, importedLogits.shape);
        Assert.Equal(directLogits.data<float>().ToArray(), importedLogits.data<float>().ToArray());
        // Sanity that the weights matter: a different seed gives different logits.
        var other = new TinyHfGpt2(vocabularySize, seed: 8);
        using var otherModel = SetDirectly(other, config);
        using var otherLogits = Logits(otherModel, ids);
        Assert.NotEqual(directLogits.data<float>().ToArray(), otherLogits.data<float>().ToArray());
    }

    [Fact]
    public void A_conv1d_weight_is_transposed_from_in_out_to_out_in()
    {
        // HF Conv1D with 2 inputs and 3 outputs stores W = [[1,2,3],[4,5,6]] (in, out) and computes x @ W + b.
        using var scope = torch.NewDisposeScope();
        var hfWeight = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var ours = HfGpt2.FromHfNames(new Dictionary<string, Tensor> { ["h.0.mlp.c_fc.weight"] = hfWeight }, GptConfig.CourseDefault, "x");

        var linear = ours["h.0.mlp.c_fc.weight"];
        Assert.Equal(new long[] { 3, 2 }, linear.shape);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, linear.data<float>().ToArray());
        // Same function: x = [1, 10] gives [1+40, 2+50, 3+60] both ways.
        var x = torch.tensor(new float[] { 1, 10 }, [1, 2]);
        Assert.Equal(new float[] { 41, 52, 63 }, x.matmul(hfWeight).data<float>().ToArray());
        Assert.Equal(new float[] { 41, 52, 63 }, nn.functional.linear(x, linear).data<float>().ToArray());

        var back = HfGpt2.ToHfNames(ours, GptConfig.CourseDefault);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, back["transformer.h.0.mlp.c_fc.weight"].data<float>().ToArray());
    }

    static void AssertSameState(nn.Module expected, nn.Module actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
        {
            Assert.Equal(tensor.dtype, b[name].dtype);
            Assert.True(tensor.shape.SequenceEqual(b[name].shape), name);
            Assert.True(tensor.cpu().contiguous().bytes.SequenceEqual(b[name].cpu().contiguous().bytes), $"{name} differs");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Export_then_import_is_bit_identical_and_export_is_deterministic(bool tieWeights)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var config = new GptConfig { Layers = 2, Heads = 2, EmbeddingSize = 8, ContextLength = 16, VocabularySize = vocabularySize, TieWeights = tieWeights };
        using var model = new Gpt(config, TorchRuntime.Device);
        var first = Path.Combine(root, "first");
        HfGpt2.Export(first, model, tokenizerFolder);

        using var imported = HfGpt2.Import(first);
        Assert.Equal(config, imported.Config);
        AssertSameState(model, imported);

        var second = Path.Combine(root, "second");
        HfGpt2.Export(second, imported, tokenizerFolder);
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "model.safetensors")), File.ReadAllBytes(Path.Combine(second, "model.safetensors")));
        Assert.Equal(File.ReadAllText(Path.Combine(first, "config.json")), File.ReadAllText(Path.Combine(second, "config.json")));
    }

    [Fact]
    public void The_export_uses_the_hf_layout()
    {
        torch.manual_seed(4);
        var config = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 8, ContextLength = 16, VocabularySize = vocabularySize };
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "export");
        HfGpt2.Export(folder, model, tokenizerFolder);

        var header = SafetensorsHeader.Read(Path.Combine(folder, "model.safetensors"));
        Assert.Equal("pt", header.Metadata["format"]);
        Assert.Equal(new long[] { 8, 24 }, header.Find("transformer.h.0.attn.c_attn.weight")!.Shape);
        Assert.Equal(new long[] { 8, 32 }, header.Find("transformer.h.0.mlp.c_fc.weight")!.Shape);
        Assert.Equal(new long[] { 32, 8 }, header.Find("transformer.h.0.mlp.c_proj.weight")!.Shape);
        Assert.Equal(new long[] { vocabularySize, 8 }, header.Find("transformer.wte.weight")!.Shape);
        Assert.Null(header.Find("lm_head.weight"));
        Assert.All(header.Entries, e => Assert.StartsWith("transformer.", e.Name));

        var hfConfig = HfGpt2Config.Read(Path.Combine(folder, "config.json"));
        Assert.Equal(("gpt2", 1, 2, 8, 16, vocabularySize, true), (hfConfig.ModelType, hfConfig.Layers, hfConfig.Heads, hfConfig.EmbeddingSize,
            hfConfig.Positions, hfConfig.VocabularySize, hfConfig.TieWordEmbeddings));
        Assert.Equal(["GPT2LMHeadModel"], hfConfig.Architectures!);
        Assert.Equal("gelu_new", hfConfig.Activation);
        var (eos, pad) = Checkpoint.SpecialTokenIds(tokenizerFolder);
        Assert.Equal((eos, pad), (hfConfig.EndOfTextId, hfConfig.PadId));
        Assert.True(File.Exists(Path.Combine(folder, "vocab.json")) && File.Exists(Path.Combine(folder, "merges.txt")));
    }

    [Fact]
    public void Half_precision_export_rounds_once_and_then_round_trips_exactly()
    {
        torch.manual_seed(5);
        var config = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 8, ContextLength = 16, VocabularySize = vocabularySize };
        using var model = new Gpt(config, TorchRuntime.Device);
        var folder = Path.Combine(root, "bf16");
        HfGpt2.Export(folder, model, tokenizerFolder, ScalarType.BFloat16);
        Assert.Equal("BF16", SafetensorsHeader.Read(Path.Combine(folder, "model.safetensors")).Find("transformer.wte.weight")!.Dtype);

        using var imported = HfGpt2.Import(folder);
        var original = model.state_dict();
        foreach (var (name, tensor) in imported.state_dict())
        {
            using var rounded = original[name].to(ScalarType.BFloat16).to(ScalarType.Float32).cpu();
            Assert.Equal(rounded.data<float>().ToArray(), tensor.cpu().data<float>().ToArray());
        }
    }

    [Fact]
    public void A_non_gpt2_folder_is_refused_naming_its_model_type()
    {
        var folder = Path.Combine(root, "llama");
        new TinyHfGpt2(vocabularySize, seed: 1).Write(folder, tokenizerFolder, withPrefix: false,
            editConfig: c => { c["model_type"] = "llama"; c["architectures"] = new[] { "LlamaForCausalLM" }; });
        var error = Assert.Throws<CheckpointFormatException>(() => HfGpt2.Import(folder).Dispose());
        Assert.Contains("model_type is 'llama'", error.Message);
        Assert.Contains("LlamaForCausalLM", error.Message);
        Assert.Equal(Path.Combine(folder, "config.json"), error.FilePath);
    }

    [Fact]
    public void Unsupported_gpt2_variants_are_refused_naming_the_field()
    {
        var folder = Path.Combine(root, "variant");
        new TinyHfGpt2(vocabularySize, seed: 1).Write(folder, tokenizerFolder, withPrefix: false, editConfig: c => c["n_inner"] = 20);
        var error = Assert.Throws<CheckpointFormatException>(() => HfGpt2.Import(folder).Dispose());
        Assert.Contains("'n_inner' is 20", error.Message);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var folder = Path.Combine(root, "missing");
        new TinyHfGpt2(vocabularySize, seed: 1).Write(folder, tokenizerFolder, withPrefix: true,
            editTensors: t => t.Remove("transformer.h.1.mlp.c_fc.bias"));
        var error = Assert.Throws<CheckpointFormatException>(() => HfGpt2.Import(folder).Dispose());
        Assert.Equal("h.1.mlp.c_fc.bias", error.TensorName);
        Assert.Equal(Path.Combine(folder, "model.safetensors"), error.FilePath);
    }

    [Fact]
    public void A_conv1d_weight_stored_the_wrong_way_round_is_named()
    {
        var folder = Path.Combine(root, "wrongway");
        new TinyHfGpt2(vocabularySize, seed: 1).Write(folder, tokenizerFolder, withPrefix: false,
            editTensors: t => t["h.0.attn.c_attn.weight"] = t["h.0.attn.c_attn.weight"].t().contiguous());
        var error = Assert.Throws<CheckpointFormatException>(() => HfGpt2.Import(folder).Dispose());
        Assert.Equal("h.0.attn.c_attn.weight", error.TensorName);
        Assert.Contains("shape [8, 24] where the model expects [24, 8]", error.Message);
    }

    [Fact]
    public void A_tied_lm_head_copy_is_accepted_when_equal_and_refused_when_different()
    {
        var equal = Path.Combine(root, "tied-equal");
        var hf = new TinyHfGpt2(vocabularySize, seed: 1);
        hf.Write(equal, tokenizerFolder, withPrefix: true, editTensors: t => t["lm_head.weight"] = t["transformer.wte.weight"].clone());
        using (var model = HfGpt2.Import(equal)) Assert.True(model.Config.TieWeights);

        var different = Path.Combine(root, "tied-different");
        hf.Write(different, tokenizerFolder, withPrefix: true, editTensors: t => t["lm_head.weight"] = t["transformer.wte.weight"] + 1);
        var error = Assert.Throws<CheckpointFormatException>(() => HfGpt2.Import(different).Dispose());
        Assert.Equal("lm_head.weight", error.TensorName);
    }

    [Fact]
    public void Growing_the_vocabulary_appends_the_mean_embedding_row()
    {
        var hf = new TinyHfGpt2(vocabularySize, seed: 2);
        var folder = Path.Combine(root, "grow");
        hf.Write(folder, tokenizerFolder, withPrefix: false);
        using var model = HfGpt2.Import(folder, vocabularySize: vocabularySize + 1);

        Assert.Equal(vocabularySize + 1, model.Config.VocabularySize);
        var wte = model.state_dict()["wte.weight"].cpu().data<float>().ToArray();
        var stored = hf.Weights["wte.weight"].Values;
        Assert.Equal(stored, wte[..stored.Length]);
        for (int c = 0; c < TinyHfGpt2.Width; c++)
        {
            var mean = Enumerable.Range(0, vocabularySize).Average(r => (double)stored[r * TinyHfGpt2.Width + c]);
            Assert.Equal(mean, wte[stored.Length + c], 5);
        }
    }
}
