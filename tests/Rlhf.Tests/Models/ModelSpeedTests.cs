using Rlhf.Benchmarks;
using Rlhf.Models;
using Rlhf.Torch;

namespace Rlhf.Tests.Models;

public class ModelSpeedTests
{
    public ModelSpeedTests() => TorchRuntime.Init();

    [Fact]
    public void The_course_default_has_the_documented_parameter_count()
    {
        // 4 blocks x (12 C^2 + 13 C) + V C + T C + 2 C with C = 128, V = 2048, T = 256.
        Assert.Equal(4 * (12 * 128 * 128 + 13 * 128) + 2048 * 128 + 256 * 128 + 2 * 128, GptConfig.CourseDefault.ParameterCount());
        Assert.Equal(1_088_256, GptConfig.CourseDefault.ParameterCount());
        Assert.Contains("1,088,256", File.ReadAllText(Repo.Path("docs", "model.md")));
    }

    [Fact]
    public void A_measurement_reports_the_shape_it_timed()
    {
        var config = TinyModels.Config;
        var report = ModelSpeed.MeasureTrainingStep(config, batchSize: 3, sequenceLength: 10, steps: 2);
        Assert.Equal(config.ParameterCount(), report.ParameterCount);
        Assert.Equal((3, 10, 2), (report.BatchSize, report.SequenceLength, report.Steps));
        Assert.Equal(3 * 10 / (report.MillisecondsPerStep / 1000), report.TokensPerSecond, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelSpeed.MeasureTrainingStep(config, 1, config.ContextLength + 1, 1));
    }

    [Fact]
    public void The_cli_prints_parameters_and_tokens_per_second()
    {
        var (exitCode, output) = Repo.RunCli(null, "model-speed", "--layers", "1", "--heads", "2", "--width", "16", "--context", "8",
            "--vocab", "32", "--batch", "2", "--steps", "1");
        Assert.True(exitCode == 0, output);
        var expected = new GptConfig { Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = 8, VocabularySize = 32 }.ParameterCount();
        Assert.Contains($"{expected:N0}", output);
        Assert.Contains("tokens/s", output);
        var (badExit, badOutput) = Repo.RunCli(null, "model-speed", "--heads", "3");
        Assert.NotEqual(0, badExit);
        Assert.Contains("embedding_size", badOutput);
    }
}
