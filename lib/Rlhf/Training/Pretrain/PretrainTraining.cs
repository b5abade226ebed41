using Rlhf.Data;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;

namespace Rlhf.Training;

/// <summary>What a pretraining run returns.</summary>
/// <param name="Training">The loop's result: steps, losses, history.</param>
/// <param name="OutputFolder">The final model's checkpoint folder (load with <c>Checkpoint.LoadGpt</c>).</param>
/// <param name="Config">The model shape trained (vocabulary from the tokenizer).</param>
/// <param name="EvalLoss">Mean next-token loss per held-out token at the end.</param>
/// <param name="TrainTokens">Tokens in the training stream (end-of-text included).</param>
/// <param name="EvalTokens">Tokens in the held-out stream.</param>
public sealed record PretrainResult(TrainingResult Training, string OutputFolder, GptConfig Config, double EvalLoss, int TrainTokens, int EvalTokens);

/// <summary>Stage 0's one entry point, called by <c>rlhf pretrain</c> and notebook 01 alike.</summary>
public static class PretrainTraining
{
    /// <summary>
    /// Tokenises <c>corpus.jsonl</c> with the course tokenizer, trains a fresh <see cref="Gpt"/> (or resumes), and
    /// writes the final model (as <see cref="PretrainOptions.StoreAs"/>, with config, tokenizer and <c>history.json</c>)
    /// to <see cref="PretrainOptions.OutputFolder"/>.
    /// </summary>
    public static PretrainResult Run(PretrainOptions options, IEnumerable<ITrainingObserver>? observers = null)
    {
        options.Validate();
        TorchRuntime.Init();
        var corpusPath = Path.Combine(options.DataFolder, "corpus.jsonl");
        var tokenizerFolder = Path.Combine(options.DataFolder, "tokenizer");
        if (!File.Exists(corpusPath)) throw new FileNotFoundException($"{corpusPath} is missing: data_folder must hold corpus.jsonl and tokenizer/", corpusPath);
        var tokenizer = TextTokenizer.Load(tokenizerFolder);
        var data = PretrainData.FromText(TextCorpus.Load(corpusPath).Records, tokenizer, options.EvalFraction);
        var config = options.Model with { VocabularySize = tokenizer.VocabularySize, PadTokenId = tokenizer.PadId };

        var stage = new PretrainStage(options, data, config, tokenizerFolder);
        using var model = stage.Gpt;
        var trainer = new Trainer<PretrainBatch>(stage, options.Training, options.OutputFolder, observers);
        var result = trainer.Train(options.ResumeFrom);
        double evalLoss = result.FinalEvaluation.TryGetValue("eval/loss", out var loss) ? loss : double.NaN;
        return new PretrainResult(result, options.OutputFolder, config, evalLoss, data.TrainTokens.Length, data.EvalTokens.Length);
    }
}
