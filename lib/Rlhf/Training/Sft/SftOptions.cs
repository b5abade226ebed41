using Rlhf.Evaluation;
using TorchSharp;

namespace Rlhf.Training;

/// <summary>
/// Everything <c>rlhf sft</c> and notebook 02 need: the shared optimisation settings plus where the data and the base
/// model come from, how sequences are cut, how much of <c>sft.jsonl</c> is held out, and how the result is evaluated.
/// Every field has a documented default; <see cref="Course"/> is the course preset (a short smoke run under
/// <c>RLHF_SMOKE=1</c>).
/// </summary>
public sealed record SftOptions
{
    /// <summary>The shared loop's settings. Defaults: seed 1234, 400 steps of 16 sequences, peak learning rate 1e-4 with 20
    /// warm-up steps (1e-4 rather than 1e-3: a higher rate makes the model forget what pretraining taught it about held-out
    /// facts and sums, see docs/results/02-sft.md) and a cosine decay to 10%, weight decay 0.1, clipping at 1, held-out loss every 50 steps.</summary>
    public TrainingOptions Training { get; init; } = new()
    {
        Seed = 1234, MaxSteps = 400, BatchSize = 16, LearningRate = 1e-4, WarmupSteps = 20, EvalEvery = 50,
    };

    /// <summary>The data folder: <see cref="TrainFile"/> and <see cref="EvalFile"/> are read from it when they are bare file names (a path
    /// with a folder in it is taken from the current directory, <see cref="Data.DatasetFile.Resolve"/>),
    /// and the gold judge's held-out prompts come from it. Default <c>data/tinyworld</c>.</summary>
    public string DataFolder { get; init; } = "data/tinyworld";

    /// <summary>The demonstrations: any SFT format (<see cref="Format"/>): the seed's jsonl, chat messages jsonl or parquet.
    /// Default <c>sft.jsonl</c>.</summary>
    public string TrainFile { get; init; } = SftDataset.FileName;

    /// <summary>Held-out demonstrations for the evaluation loss (up to <see cref="EvalExamples"/> of them, spread evenly over the
    /// file); null (default) holds out <see cref="EvalExamples"/> of <see cref="TrainFile"/> by a seeded shuffle.</summary>
    public string? EvalFile { get; init; }

    /// <summary>The format of <see cref="TrainFile"/> and <see cref="EvalFile"/>: <c>auto</c> (default) tells it from the content
    /// (parquet by its magic bytes, jsonl by the fields of its first record); or <c>sft</c>, <c>pairwise</c>, <c>ranked</c>, <c>hh_rlhf</c>,
    /// <c>chat_messages</c>, <c>parquet</c> (<see cref="Data.DatasetFile"/>).</summary>
    public Data.DatasetFormat Format { get; init; } = Data.DatasetFormat.Auto;

    /// <summary>The checkpoint SFT starts from (its tokenizer travels with it). Default <c>data/checkpoints/base</c>, the shipped base model.</summary>
    public string InputCheckpoint { get; init; } = "data/checkpoints/base";

    /// <summary>Where the fine-tuned model, its history and its evaluation are written. Default <c>out/sft</c>.</summary>
    public string OutputFolder { get; init; } = "out/sft";

    /// <summary>A trainer checkpoint folder (<c>OUT/checkpoints/step-NNNNNN</c>) to continue from; null starts fresh. Default null.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Longest training sequence in tokens (prompt + response + end-of-text); longer ones are cut by the chat
    /// template's policy and counted in the data report. Default 128 (no TinyWorld example is that long).</summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>Examples of <c>sft.jsonl</c> held out (chosen by a seeded shuffle) for the evaluation loss. Default 200 of 2,500.</summary>
    public int EvalExamples { get; init; } = 200;

    /// <summary>How the final model is evaluated with the gold judge on held-out prompts. Default: greedy on all of
    /// <c>data/tinyworld/eval_prompts.txt</c>, 48 new tokens.</summary>
    public PolicyEvaluationOptions Evaluation { get; init; } = PolicyEvaluationOptions.Greedy;

    /// <summary>Also evaluate the input model before training (also when resuming: the weights of <see cref="InputCheckpoint"/>), so the result holds the before/after table. Default true.</summary>
    public bool EvaluateInputModel { get; init; } = true;

    /// <summary>Element type of the final model's weights in <see cref="OutputFolder"/>: Float16 halves the size of what
    /// ships; trainer checkpoints under <c>checkpoints/</c> stay Float32 so a resume is exact. Default Float16.</summary>
    public torch.ScalarType StoreAs { get; init; } = torch.ScalarType.Float16;

    /// <summary>Pretraining mix (the ptx term of Ouyang et al. 2022, eq. 2, applied to SFT): windows of <c>corpus.jsonl</c> in
    /// <see cref="DataFolder"/> trained on beside the demonstrations, so fine-tuning on demonstrations about training
    /// entities does not overwrite what pretraining taught about the others. Default off (coef 0). Measured on the held-out
    /// prompts (docs/results/02-sft.md): helpfulness 0.371 off, 0.387 at coef 0.3, 0.403 at 1, 0.427 at 3; but PPO against
    /// the shipped reward model then no longer improves on SFT (its gains were the knowledge PPO-ptx restores), so the
    /// shipped SFT model is trained without it.</summary>
    public PretrainingMixOptions Ptx { get; init; } = new();

    /// <summary>The course preset: the defaults in a full run; 6 steps of 8 sequences, 32 held-out examples and two
    /// prompts per task kind in a smoke run.</summary>
    public static SftOptions Course => CourseRun.Pick(new SftOptions(), new SftOptions
    {
        Training = new SftOptions().Training with { MaxSteps = 6, BatchSize = 8, WarmupSteps = 2, EvalEvery = 3 },
        EvalExamples = 32,
        Evaluation = PolicyEvaluationOptions.Greedy with { MaxPromptsPerKind = 2 },
    });

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public SftOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        Training.Validate();
        Require(!string.IsNullOrWhiteSpace(DataFolder), nameof(DataFolder), "must name a folder");
        Require(!string.IsNullOrWhiteSpace(InputCheckpoint), nameof(InputCheckpoint), "must name a checkpoint folder");
        Require(!string.IsNullOrWhiteSpace(OutputFolder), nameof(OutputFolder), "must name a folder");
        Require(MaxLength >= 8, nameof(MaxLength), "must be at least 8 tokens");
        Require(EvalExamples >= 1, nameof(EvalExamples), "must be at least 1");
        Require(!string.IsNullOrWhiteSpace(TrainFile), nameof(TrainFile), "must name a file");
        Require(EvalFile is null || EvalFile.Trim().Length > 0, nameof(EvalFile), "must name a file or be null");
        ArgumentNullException.ThrowIfNull(Evaluation, nameof(Evaluation));
        Evaluation.Validate();
        ArgumentNullException.ThrowIfNull(Ptx, nameof(Ptx));
        Ptx.Validate("sft");
        Require(StoreAs is torch.ScalarType.Float32 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16,
            nameof(StoreAs), "must be float32, float16 or b_float16");
        return this;
    }

    static void Require(bool condition, string field, string message)
    {
        if (!condition) throw new ArgumentException($"sft option '{OptionsBinder.JsonName(field)}' {message}.");
    }
}
