using System.Text.Json;
using Rlhf.Models;

namespace Rlhf.Tests.Models;

public class GptConfigTests
{
    [Fact]
    public void Json_uses_snake_case_names_and_round_trips()
    {
        var config = GptConfig.Gpt2 with { Dropout = 0.1, TieWeights = false };
        var json = JsonSerializer.Serialize(config);
        foreach (var name in new[] { "layers", "heads", "embedding_size", "context_length", "vocabulary_size", "dropout", "bias", "tie_weights", "layer_norm_epsilon" })
            Assert.Contains($"\"{name}\":", json);
        Assert.DoesNotContain("head_size", json);
        Assert.Equal(config, JsonSerializer.Deserialize<GptConfig>(json));
    }

    [Fact]
    public void Presets_match_the_hugging_face_gpt2_shapes()
    {
        Assert.Equal((12, 12, 768, 1024, 50257), (GptConfig.Gpt2.Layers, GptConfig.Gpt2.Heads, GptConfig.Gpt2.EmbeddingSize, GptConfig.Gpt2.ContextLength, GptConfig.Gpt2.VocabularySize));
        Assert.Equal((24, 16, 1024), (GptConfig.Gpt2Medium.Layers, GptConfig.Gpt2Medium.Heads, GptConfig.Gpt2Medium.EmbeddingSize));
        Assert.Equal((36, 20, 1280), (GptConfig.Gpt2Large.Layers, GptConfig.Gpt2Large.Heads, GptConfig.Gpt2Large.EmbeddingSize));
        Assert.True(GptConfig.Gpt2.Bias && GptConfig.Gpt2.TieWeights);
        Assert.Equal(1e-5, GptConfig.Gpt2.LayerNormEpsilon);
        // GPT-2 small has 124,439,808 parameters (HF count, tied head counted once).
        Assert.Equal(124_439_808, GptConfig.Gpt2.ParameterCount());
        Assert.Equal(354_823_168, GptConfig.Gpt2Medium.ParameterCount());
        Assert.Equal(774_030_080, GptConfig.Gpt2Large.ParameterCount());
        Assert.Equal(GptConfig.CourseDefault, new GptConfig());
        GptConfig.CourseDefault.Validate();
    }

    [Theory]
    [InlineData("Layers", "layers")]
    [InlineData("Heads", "heads")]
    [InlineData("EmbeddingSize", "embedding_size")]
    [InlineData("ContextLength", "context_length")]
    [InlineData("VocabularySize", "vocabulary_size")]
    [InlineData("Dropout", "dropout")]
    [InlineData("LayerNormEpsilon", "layer_norm_epsilon")]
    public void Validation_names_the_bad_field(string property, string jsonName)
    {
        var bad = property switch
        {
            "Layers" => GptConfig.CourseDefault with { Layers = 0 },
            "Heads" => GptConfig.CourseDefault with { Heads = -1 },
            "EmbeddingSize" => GptConfig.CourseDefault with { EmbeddingSize = 190 }, // not divisible by 4 heads
            "ContextLength" => GptConfig.CourseDefault with { ContextLength = 0 },
            "VocabularySize" => GptConfig.CourseDefault with { VocabularySize = 0 },
            "Dropout" => GptConfig.CourseDefault with { Dropout = 1.0 },
            _ => GptConfig.CourseDefault with { LayerNormEpsilon = 0 },
        };
        var error = Assert.Throws<ArgumentException>(() => bad.Validate());
        Assert.Equal(property, error.ParamName);
        Assert.Contains($"\"{jsonName}\"", error.Message);
    }
}
