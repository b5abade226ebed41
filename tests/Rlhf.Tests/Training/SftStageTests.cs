using Rlhf.Checkpoints;
using Rlhf.Data;
using Rlhf.Evaluation;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

public sealed class SftStageTests : IDisposable
{
    static readonly string TokenizerFolder = Repo.Path("data", "tinyworld", "tokenizer");
    static readonly TextTokenizer Tokenizer = TextTokenizer.Load(TokenizerFolder);
    readonly string root = Directory.CreateTempSubdirectory("rlhf-sft-").FullName;

    public SftStageTests() => TorchRuntime.Init();

    public void Dispose() => Directory.Delete(root, recursive: true);

    static IReadOnlyList<SftExample> FirstExamples(int count) =>
        SeedFormats.LoadSft(Repo.Path("data", "tinyworld", SftDataset.FileName)).Records.Take(count).ToList();

    static GptConfig TinyConfig => new() { Layers = 2, Heads = 2, EmbeddingSize = 32, ContextLength = 96, VocabularySize = Tokenizer.VocabularySize };

    [Fact]
    public void Held_out_examples_are_disjoint_seeded_and_counted()
    {
        var template = new ChatTemplate(Tokenizer);
        var examples = FirstExamples(50);
        var data = SftDataset.Encode(examples, template, maxLength: 128, evalExamples: 10, seed: 7);
        var again = SftDataset.Encode(examples, template, maxLength: 128, evalExamples: 10, seed: 7);
        var other = SftDataset.Encode(examples, template, maxLength: 128, evalExamples: 10, seed: 8);
        Assert.Equal(40, data.Train.Count);
        Assert.Equal(10, data.Eval.Count);
        Assert.Equal(data.Eval.Select(e => e.InputIds), again.Eval.Select(e => e.InputIds));
        Assert.NotEqual(data.Eval.Select(e => e.InputIds), other.Eval.Select(e => e.InputIds));
        var all = data.Train.Concat(data.Eval).Select(e => string.Join(',', e.InputIds)).Order().ToList();
        Assert.Equal(examples.Select(e => string.Join(',', template.EncodeTraining(e.Prompt, e.Response).InputIds)).Order(), all);
        Assert.Equal(0, data.Report.TruncatedExamples);
        Assert.Contains("none truncated", data.Report.ToString());
    }

    [Fact]
    public void Truncated_examples_are_kept_and_counted()
    {
        var template = new ChatTemplate(Tokenizer);
        var examples = FirstExamples(20);
        int shortest = examples.Min(e => template.EncodeTraining(e.Prompt, e.Response).Length);
        var data = SftDataset.Encode(examples, template, maxLength: shortest - 1, evalExamples: 2, seed: 1);
        Assert.Equal(20, data.Report.TruncatedExamples);
        Assert.Equal(18, data.Train.Count);
        Assert.All(data.Train, e => Assert.Equal(shortest - 1, e.Length));
        Assert.True(data.Report.PromptTokensRemoved >= 20);
        Assert.Contains("20 truncated", data.Report.ToString());
    }

    [Fact]
    public void Micro_batches_are_a_function_of_the_step_and_cover_each_epoch_once()
    {
        using var scope = NewDisposeScope();
        var data = SftDataset.Encode(FirstExamples(30), new ChatTemplate(Tokenizer), 128, evalExamples: 6, seed: 3);
        using var model = new Gpt(TinyConfig);
        var training = new TrainingOptions { Seed = 3, BatchSize = 4 };
        var stage = new SftStage(model, data, training, TokenizerFolder, Tokenizer.PadId);
        var fresh = new SftStage(model, data, training, TokenizerFolder, Tokenizer.PadId);
        string Rows(SftBatch b) => string.Join('|', Enumerable.Range(0, (int)b.Inputs.shape[0]).Select(r => string.Join(',', b.Inputs[r].data<long>().ToArray())));
        Assert.Equal(stage.MicroBatches(5, 2).Select(Rows), fresh.MicroBatches(5, 2).Select(Rows));
        Assert.Equal(stage.ExampleIndices(5, 2), fresh.ExampleIndices(5, 2));
        // 24 training examples, 4 per micro-batch x 2 per step: steps 0, 1, 2 see each of them exactly once, step 3 starts a new order.
        var epoch = Enumerable.Range(0, 3).SelectMany(step => stage.ExampleIndices(step, 2)).SelectMany(rows => rows).ToList();
        Assert.Equal(Enumerable.Range(0, 24), epoch.Order());
        var nextEpoch = Enumerable.Range(3, 3).SelectMany(step => stage.ExampleIndices(step, 2)).SelectMany(rows => rows).ToList();
        Assert.Equal(Enumerable.Range(0, 24), nextEpoch.Order());
        Assert.NotEqual(epoch, nextEpoch);
        // The micro-batch holds exactly those examples, right-padded.
        var indices = stage.ExampleIndices(4, 1)[0];
        var batch = stage.MicroBatches(4, 1)[0];
        Assert.Equal(data.Train[indices[0]].InputIds[..^1].Select(id => (long)id), batch.Inputs[0].data<long>().ToArray().Take(data.Train[indices[0]].Length - 1));
    }

    [Fact]
    public void Tiny_sft_run_lowers_the_loss_on_training_responses_and_ships_a_float16_checkpoint()
    {
        // A tiny random "base" checkpoint and a 72-example data folder.
        var input = Path.Combine(root, "base");
        Seeding.Seed(11);
        using (var model = new Gpt(TinyConfig)) Checkpoint.Save(input, model, TinyConfig, TokenizerFolder);
        var dataFolder = Path.Combine(root, "data");
        Directory.CreateDirectory(dataFolder);
        JsonlRecords.Write(Path.Combine(dataFolder, SftDataset.FileName), FirstExamples(72));

        var options = new SftOptions
        {
            Training = new TrainingOptions { Seed = 5, MaxSteps = 30, BatchSize = 8, LearningRate = 1e-2, WarmupSteps = 3, EvalEvery = 15 },
            DataFolder = dataFolder, InputCheckpoint = input, OutputFolder = Path.Combine(root, "sft"), EvalExamples = 8,
            Evaluation = new PolicyEvaluationOptions
            {
                PromptsFile = Repo.Path("data", "tinyworld", "eval_prompts.txt"), MaxPromptsPerKind = 1,
                Generation = new GenerationOptions { Sampling = SamplingOptions.GreedyDecoding, MaxNewTokens = 8 },
            },
        };
        var result = SftTraining.Run(options);

        var losses = result.Training.History.Series("loss").Select(p => p.Value).ToList();
        Assert.Equal(30, losses.Count);
        Assert.True(losses.TakeLast(5).Average() < 0.7 * losses.Take(5).Average(), $"training loss went from {losses.Take(5).Average():F3} to {losses.TakeLast(5).Average():F3}");
        var evalLosses = result.Training.History.Series("eval/loss").Select(p => p.Value).ToList();
        Assert.Equal(2, evalLosses.Count); // steps 15 and 30
        Assert.Equal(64, result.Data.TrainExamples);
        Assert.NotNull(result.Before);
        Assert.Equal(7, result.After.Metrics.Prompts);
        Assert.Equal(["metric", "base", "sft"], result.ToTable().Columns);

        // The shipped folder: Float16 weights, config, tokenizer, history, options and evaluation.
        var folder = result.OutputFolder;
        foreach (var file in new[] { "config.json", "vocab.json", "merges.txt", "history.json", SftTraining.OptionsFile, SftTraining.EvaluationFile })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        Assert.All(SafetensorsHeader.Read(Path.Combine(folder, Checkpoint.WeightsFile)).Entries, e => Assert.Equal("F16", e.Dtype));
        Assert.Equal("sft", Checkpoint.ReadMetadata(folder)["stage"]);
        Assert.Equal(30, MetricsHistory.Load(Path.Combine(folder, "history.json")).Series("loss").Count);
    }
}
