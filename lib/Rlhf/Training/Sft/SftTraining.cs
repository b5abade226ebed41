using Rlhf.Data;
using System.Text.Json;
using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;

namespace Rlhf.Training;

/// <summary>
/// Stage 1, supervised fine-tuning: the one entry point that both <c>rlhf sft</c> and notebook 02 call. Loads the input
/// checkpoint and <c>sft.jsonl</c>, optionally measures the input model with the gold judge, trains with the shared loop,
/// saves the final model (with its history, options and evaluation) and measures it again as saved.
/// </summary>
public static class SftTraining
{
    /// <summary>File beside the final model with the options the run used.</summary>
    public const string OptionsFile = "sft_options.json";

    /// <summary>File beside the final model with the gold evaluation (metrics per policy, stable keys).</summary>
    public const string EvaluationFile = "evaluation.json";

    /// <summary>Trains as <paramref name="options"/> say, reporting progress to <paramref name="observers"/>.</summary>
    public static SftResult Run(SftOptions options, IEnumerable<ITrainingObserver>? observers = null)
    {
        options.Validate();
        TorchRuntime.Init();
        Seeding.Seed(options.Training.Seed);
        if (!Directory.Exists(options.InputCheckpoint))
            throw new DirectoryNotFoundException($"input checkpoint '{options.InputCheckpoint}' does not exist (run from the repository root, or pretrain first: rlhf pretrain)");

        var tokenizer = TextTokenizer.Load(options.InputCheckpoint);
        var template = new ChatTemplate(tokenizer);
        var evaluator = new PolicyEvaluator(tokenizer, options.Evaluation);
        var data = SftDataset.Load(DatasetFile.Resolve(options.DataFolder, options.TrainFile), options.EvalFile is null ? null : DatasetFile.Resolve(options.DataFolder, options.EvalFile),
            options.Format, template, options.MaxLength, options.EvalExamples, options.Training.Seed);

        TrainingResult training;
        PolicyEvaluation? before = null;
        using (var model = Checkpoint.LoadGpt(options.InputCheckpoint))
        {
            if (options.EvaluateInputModel) before = evaluator.Evaluate("base", model);
            var mix = options.Ptx.Load(Path.Combine(options.DataFolder, World.TinyWorldWriter.CorpusFile), tokenizer);
            var stage = new SftStage(model, data, options.Training, options.InputCheckpoint, tokenizer.PadId, options.StoreAs, FinalMetadata(options), mix);
            var trainer = new Trainer<SftBatch>(stage, options.Training, options.OutputFolder, observers);
            training = trainer.Train(options.ResumeFrom); // writes the final model (stage.SaveFinalModel) and history.json
            File.WriteAllText(Path.Combine(options.OutputFolder, OptionsFile), OptionsBinder.ToJson(options));
        }

        PolicyEvaluation after;
        using (var saved = Checkpoint.LoadGpt(options.OutputFolder)) after = evaluator.Evaluate("sft", saved);
        var evaluations = new Dictionary<string, object?>
        {
            ["sampling"] = after.Sampling,
            ["policies"] = (before is null ? new[] { after } : [before, after]).ToDictionary(e => e.Policy, e => e.Metrics.ToDictionary()),
        };
        File.WriteAllText(Path.Combine(options.OutputFolder, EvaluationFile), JsonSerializer.Serialize(evaluations, OptionsBinder.Json));
        return new SftResult(training, data.Report, before, after, options.OutputFolder);
    }

    /// <summary>The final checkpoint's metadata: stage, seed, steps and the checkpoint SFT started from.</summary>
    static Dictionary<string, string> FinalMetadata(SftOptions options) => new()
    {
        ["stage"] = "sft", ["seed"] = options.Training.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["steps"] = options.Training.MaxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["input_checkpoint"] = options.InputCheckpoint,
    };
}
