using Rlhf.Models;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// Stage 0, pretraining: language modelling on the TinyWorld corpus from random weights. Defaults are the course run
/// (<see cref="Course"/> in notebooks), which gives the base model shipped as <c>data/checkpoints/base</c>.
/// </summary>
public sealed record PretrainOptions
{
    /// <summary>The shared loop's settings. Default <see cref="DefaultTraining"/>.</summary>
    public TrainingOptions Training { get; init; } = DefaultTraining;

    /// <summary>The model shape. Default <see cref="GptConfig.CourseDefault"/>. Its <c>vocabulary_size</c> is replaced by the
    /// tokenizer's (the embedding needs one row per token id), so it need not be set.</summary>
    public GptConfig Model { get; init; } = GptConfig.CourseDefault;

    /// <summary>Folder with <c>corpus.jsonl</c> and <c>tokenizer/</c>. Default <c>data/tinyworld</c>.</summary>
    public string DataFolder { get; init; } = "data/tinyworld";

    /// <summary>Where the final model and its <c>history.json</c> go. Default <c>out/pretrain</c>. While training, resumable
    /// checkpoints are written to <c>checkpoints/step-NNNNNN</c> inside it; the final save replaces the whole folder, so
    /// after a finished run only the final model and history remain.</summary>
    public string OutputFolder { get; init; } = "out/pretrain";

    /// <summary>A checkpoint folder (<c>OUT/checkpoints/step-NNNNNN</c>) to continue from; null starts from random weights.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Share of the corpus documents (the last ones) held out for the evaluation loss. Default 0.05.</summary>
    public double EvalFraction { get; init; } = 0.05;

    /// <summary>Most held-out windows of <c>ContextLength</c> tokens one evaluation reads. Default 64.</summary>
    public int EvalWindows { get; init; } = 64;

    /// <summary>How the final model in <see cref="OutputFolder"/> stores its weights: Float16 (default, half the size; what
    /// the shipped checkpoints use), Float32 or BFloat16. Resumable checkpoints always keep Float32.</summary>
    public ScalarType StoreAs { get; init; } = ScalarType.Float16;

    /// <summary>The course defaults for the loop: 1,500 steps of 16 windows of 257 tokens (6.2M tokens, about 14 passes over the corpus), AdamW with peak
    /// learning rate 2e-3 after 60 warm-up steps (cosine decay to 10%), weight decay 0.1, evaluation every 100 steps and a resumable checkpoint every 250.</summary>
    public static TrainingOptions DefaultTraining { get; } = new()
    {
        MaxSteps = 1500, BatchSize = 16, LearningRate = 2e-3, WarmupSteps = 60, EvalEvery = 100, CheckpointEvery = 250, WeightDecay = 0.1,
    };

    /// <summary>The course preset: the defaults in a full run; 4 steps and 4 evaluation windows in a smoke run
    /// (<see cref="CourseRun.IsSmoke"/>).</summary>
    public static PretrainOptions Course => CourseRun.Pick(
        new PretrainOptions(),
        new PretrainOptions { Training = DefaultTraining with { MaxSteps = 4, WarmupSteps = 1, EvalEvery = 2, BatchSize = 4 }, EvalWindows = 4 });

    /// <summary>Throws naming the first invalid field.</summary>
    public PretrainOptions Validate()
    {
        Training.Validate();
        Model.Validate();
        Require(EvalFraction is > 0 and < 1, nameof(EvalFraction), "must be in (0, 1)");
        Require(EvalWindows > 0, nameof(EvalWindows), "must be positive");
        Require(!string.IsNullOrWhiteSpace(DataFolder), nameof(DataFolder), "must name a folder");
        Require(!string.IsNullOrWhiteSpace(OutputFolder), nameof(OutputFolder), "must name a folder");
        Require(StoreAs is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16, nameof(StoreAs), "must be float32, float16 or b_float16");
        return this;
    }

    static void Require(bool condition, string field, string message)
    {
        if (!condition) throw new ArgumentException($"pretrain option '{OptionsBinder.JsonName(field)}' {message}.");
    }
}
