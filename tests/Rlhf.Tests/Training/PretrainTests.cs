using Rlhf.Checkpoints;
using Rlhf.Models;
using Rlhf.Tests.Data;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

public class PretrainTests
{
    static readonly GptConfig tiny = new() { Layers = 1, Heads = 2, EmbeddingSize = 32, ContextLength = 32, VocabularySize = 50 };

    [Fact]
    public void Documents_are_joined_with_end_of_text_after_each()
    {
        Assert.Equal([1, 2, 9, 3, 9, 9], PretrainData.Concatenate([[1, 2], [3], []], endOfTextId: 9));
    }

    [Fact]
    public void A_window_targets_are_its_inputs_shifted_by_one()
    {
        int[] stream = [10, 11, 12, 13, 14, 15];
        var (inputs, targets) = PretrainData.Window(stream, start: 1, contextLength: 3);
        Assert.Equal([11L, 12, 13], inputs);
        Assert.Equal([12L, 13, 14], targets);
        var (lastInputs, lastTargets) = PretrainData.Window(stream, start: 2, contextLength: 3);
        Assert.Equal([12L, 13, 14], lastInputs);
        Assert.Equal([13L, 14, 15], lastTargets);
        Assert.Throws<ArgumentOutOfRangeException>(() => PretrainData.Window(stream, start: 3, contextLength: 3));
    }

    [Fact]
    public void Every_window_start_fits_the_stream_and_reaches_its_end()
    {
        var starts = Enumerable.Range(0, 200).SelectMany(step => PretrainData.WindowStarts(3, step, 4, streamLength: 10, windowLength: 4)).ToArray();
        Assert.All(starts, s => Assert.InRange(s, 0, 6));
        Assert.Contains(6, starts);
        Assert.Contains(0, starts);
        Assert.Throws<ArgumentException>(() => PretrainData.WindowStarts(3, 0, 1, streamLength: 3, windowLength: 4));
    }

    [Fact]
    public void Evaluation_windows_are_consecutive_and_predict_each_held_out_token_once()
    {
        Assert.Equal([0, 3, 6], PretrainData.EvalWindowStarts(streamLength: 11, contextLength: 3, maxWindows: 10));
        Assert.Equal([0, 3], PretrainData.EvalWindowStarts(streamLength: 10, contextLength: 3, maxWindows: 2));
        Assert.Throws<ArgumentException>(() => PretrainData.EvalWindowStarts(streamLength: 3, contextLength: 3, maxWindows: 2));
    }

    [Fact]
    public void The_last_documents_are_held_out_and_share_no_token_with_training()
    {
        // Document i uses only tokens 10i+1 and 10i+2, so a token tells which document it came from.
        var documents = Enumerable.Range(0, 100).Select(i => new[] { 10 * i + 1, 10 * i + 2 }).ToList();
        var data = new PretrainData(documents, endOfTextId: 0, evalFraction: 0.05);
        Assert.Equal((95, 5), (data.TrainDocuments, data.EvalDocuments));
        Assert.Equal(95 * 3, data.TrainTokens.Length);
        Assert.Equal([951, 952, 0, 961, 962, 0, 971, 972, 0, 981, 982, 0, 991, 992, 0], data.EvalTokens);
        Assert.Empty(data.TrainTokens.Where(t => t != 0).Intersect(data.EvalTokens.Where(t => t != 0)));
        Assert.Equal((1, 1), PretrainData.SplitCount(2, 0.05));
        Assert.Throws<ArgumentException>(() => PretrainData.SplitCount(1, 0.05));
        Assert.Throws<ArgumentException>(() => PretrainData.SplitCount(10, 1.0));
    }

    [Fact]
    public void Batches_are_a_pure_function_of_seed_and_step()
    {
        TorchRuntime.Init();
        var documents = Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 20).Select(j => (i * 7 + j) % 49 + 1).ToArray()).ToList();
        var data = new PretrainData(documents, endOfTextId: 0, evalFraction: 0.1);
        long[] Inputs(long seed, int step)
        {
            var options = new PretrainOptions { Model = tiny, Training = new TrainingOptions { Seed = seed, BatchSize = 3 } };
            var stage = new PretrainStage(options, data, tiny, Repo.Path("data", "tinyworld", "tokenizer"));
            using var scope = NewDisposeScope();
            var batches = stage.MicroBatches(step, 2);
            Assert.Equal(2, batches.Count);
            Assert.All(batches, b => Assert.Equal([3L, 32], b.Inputs.shape));
            Assert.All(batches, b => Assert.Equal(b.Inputs[.., 1..].data<long>().ToArray(), b.Targets[.., ..^1].data<long>().ToArray()));
            return batches.SelectMany(b => b.Inputs.cpu().data<long>().ToArray()).ToArray();
        }
        Assert.Equal(Inputs(5, 7), Inputs(5, 7));
        Assert.NotEqual(Inputs(5, 7), Inputs(5, 8));
        Assert.NotEqual(Inputs(5, 7), Inputs(6, 7));
    }

    [Fact]
    public void Options_reject_bad_values_naming_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => new PretrainOptions { EvalFraction = 0 }.Validate());
        Assert.Contains("eval_fraction", e.Message);
        var bound = OptionsBinder.Bind(new PretrainOptions(), null, ["max_steps=7", "store_as=float32", "model.layers=2"]);
        Assert.Equal((7, ScalarType.Float32, 2), (bound.Training.MaxSteps, bound.StoreAs, bound.Model.Layers));
    }

    [Fact]
    public void A_tiny_run_lowers_the_eval_loss_and_its_checkpoint_reloads_with_identical_logits()
    {
        using var files = new TempFiles();
        var dataFolder = Path.Combine(files.Folder, "data");
        Directory.CreateDirectory(Path.Combine(dataFolder, "tokenizer"));
        Checkpoint.CopyTokenizerFiles(Repo.Path("data", "tinyworld", "tokenizer"), Path.Combine(dataFolder, "tokenizer"));
        File.WriteAllLines(Path.Combine(dataFolder, "corpus.jsonl"), File.ReadLines(Repo.Path("data", "tinyworld", "corpus.jsonl")).Take(200));
        var options = new PretrainOptions
        {
            Model = tiny, DataFolder = dataFolder, OutputFolder = Path.Combine(files.Folder, "out"), EvalFraction = 0.1, EvalWindows = 8,
            StoreAs = ScalarType.Float32,
            Training = new TrainingOptions { Seed = 3, MaxSteps = 30, BatchSize = 8, LearningRate = 3e-3, WarmupSteps = 2, EvalEvery = 15 },
        };

        var result = PretrainTraining.Run(options);

        var evalLosses = result.Training.History.Series("eval/loss").Select(p => p.Value).ToArray();
        Assert.Equal(2, evalLosses.Length);
        Assert.True(evalLosses[1] < evalLosses[0] && evalLosses[0] < Math.Log(result.Config.VocabularySize),
            $"eval loss should fall below the uniform guess ln V = {Math.Log(result.Config.VocabularySize):F2}: {string.Join(", ", evalLosses)}");
        Assert.Equal(TextTokenizer.Load(options.OutputFolder).VocabularySize, result.Config.VocabularySize);

        // Reload twice: the saved model scores the held-out stream exactly as the run reported, with identical logits.
        TorchRuntime.Init();
        using var reloaded = Checkpoint.LoadGpt(result.OutputFolder);
        using var again = Checkpoint.LoadGpt(result.OutputFolder);
        reloaded.eval();
        again.eval();
        var tokenizer = TextTokenizer.Load(result.OutputFolder);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(tokenizer.Encode("### Human: What is 2 plus 3?").Select(i => (long)i).ToArray(), device: TorchRuntime.Device).unsqueeze(0); // (1, T)
        Assert.True(reloaded.forward(ids).equal(again.forward(ids)).all().item<bool>());

        var documents = Rlhf.Data.TextCorpus.Load(Path.Combine(dataFolder, "corpus.jsonl")).Records;
        var data = PretrainData.FromText(documents, tokenizer, options.EvalFraction);
        var stage = new PretrainStage(options, data, result.Config, result.OutputFolder);
        stage.LoadModel(result.OutputFolder);
        stage.Model.eval();
        Assert.True(stage.Gpt.forward(ids).equal(reloaded.forward(ids)).all().item<bool>());
        Assert.Equal(result.EvalLoss, stage.Evaluate()["loss"], 5);
    }

    [Fact]
    public void The_shipped_base_checkpoint_is_the_default_course_model_in_float16()
    {
        var folder = Repo.Path("data", "checkpoints", "base");
        var config = Checkpoint.ReadConfig(folder);
        var tokenizer = TextTokenizer.Load(folder);
        Assert.Equal(GptConfig.CourseDefault with { VocabularySize = tokenizer.VocabularySize, PadTokenId = tokenizer.PadId }, config);
        Assert.Equal(TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer")).Vocabulary.Tokens, tokenizer.Vocabulary.Tokens);
        var header = SafetensorsHeader.Read(Path.Combine(folder, Checkpoint.WeightsFile));
        Assert.All(header.Entries, e => Assert.Equal("F16", e.Dtype));
        Assert.Equal("pretrain", header.Metadata["stage"]);
        Assert.Equal("1234", header.Metadata["seed"]);
        var history = MetricsHistory.Load(Path.Combine(folder, "history.json"));
        Assert.Equal(new PretrainOptions().Training.MaxSteps, history.Rows[^1].Step);
    }

    [Fact]
    public void The_cli_verb_rejects_a_bad_option_naming_it()
    {
        var (exitCode, output) = Repo.RunCli(null, "pretrain", "--set", "eval_fraction=2", "--out", Path.Combine(Path.GetTempPath(), "rlhf-never-written"));
        Assert.Equal(2, exitCode);
        Assert.Contains("eval_fraction", output);
    }
}
