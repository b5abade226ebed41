using Rlhf.Training;

namespace Rlhf.Tests.Training;

public class OptionsBinderTests
{
    sealed record StageOptions
    {
        public TrainingOptions Training { get; init; } = new() { LearningRate = 1e-4, MaxSteps = 50 };
        public double Beta { get; init; } = 0.1;
        public string LossType { get; init; } = "sigmoid";
        public string? ReferenceFolder { get; init; }
    }

    static string Config(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rlhf-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Defaults_config_file_and_overrides_apply_in_order()
    {
        var file = Config("""
            {
              "beta": 0.5,
              "training": { "batch_size": 4 }
            }
            """);
        var bound = OptionsBinder.Bind(new StageOptions(), file, ["training.learning_rate=3e-4", "max_steps=7", "loss_type=ipo", "reference_folder=out/sft"]);
        Assert.Equal(0.5, bound.Beta);
        Assert.Equal(4, bound.Training.BatchSize);
        Assert.Equal(3e-4, bound.Training.LearningRate);     // dotted path
        Assert.Equal(7, bound.Training.MaxSteps);            // unique leaf name
        Assert.Equal("ipo", bound.LossType);
        Assert.Equal("out/sft", bound.ReferenceFolder);
        Assert.Equal(new TrainingOptions().Beta2, bound.Training.Beta2); // untouched nested defaults survive a partial file
    }

    [Fact]
    public void A_partial_nested_object_keeps_the_stage_defaults_not_the_record_defaults()
    {
        var bound = OptionsBinder.Bind(new StageOptions(), Config("""{ "training": { "seed": 3 } }"""), []);
        Assert.Equal(1e-4, bound.Training.LearningRate);
        Assert.Equal(50, bound.Training.MaxSteps);
    }

    [Fact]
    public void Unknown_names_in_a_file_are_reported_with_file_and_line()
    {
        var file = Config("{\n  \"beta\": 0.2,\n  \"bta\": 0.3\n}");
        var error = Assert.Throws<ArgumentException>(() => OptionsBinder.Bind(new StageOptions(), file, []));
        Assert.Contains(file, error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("'bta'", error.Message);
    }

    [Theory]
    [InlineData("bta=1", "unknown option")]
    [InlineData("beta", "expected name=value")]
    [InlineData("beta=high", "expected a number")]
    [InlineData("training.max_steps=1.5.2", "expected a number")]
    public void Bad_overrides_are_refused_with_the_reason(string assignment, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => OptionsBinder.Bind(new StageOptions(), null, [assignment]));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_fractional_value_for_an_integer_option_is_a_type_error()
    {
        var error = Assert.Throws<ArgumentException>(() => OptionsBinder.Bind(new StageOptions(), null, ["max_steps=2.5"]));
        Assert.Contains("max_steps", error.Message);
    }

    [Fact]
    public void Invalid_json_reports_the_line()
    {
        var error = Assert.Throws<ArgumentException>(() => OptionsBinder.Bind(new StageOptions(), Config("{\n \"beta\": ,\n}"), []));
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Validation_names_the_field()
    {
        var error = Assert.Throws<ArgumentException>(() => (new TrainingOptions { MinLearningRateRatio = 2 }).Validate());
        Assert.Contains("min_learning_rate_ratio", error.Message);
    }

    [Fact]
    public void Names_lists_every_settable_path() =>
        Assert.Contains("training.learning_rate", OptionsBinder.Names(new StageOptions()));
}
