using Rlhf.Checkpoints;
using Rlhf.Data;
using Rlhf.Models;
using Rlhf.Tests.Data;
using Rlhf.Tests.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

public class RewardModelStageTests
{
    public RewardModelStageTests() => TorchRuntime.Init();

    static TextTokenizer CourseTokenizer() => TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));

    static GptConfig TinyConfig(TextTokenizer tokenizer) => new()
    {
        Layers = 2, Heads = 2, EmbeddingSize = 32, ContextLength = 64, VocabularySize = tokenizer.VocabularySize,
    };

    /// <summary>Arithmetic pairs whose chosen answer is right and whose rejected answer is an over-refusal: an easy preference
    /// the gold judge agrees with.</summary>
    static List<PreferencePair> EasyPairs(int from, int count) => Enumerable.Range(from, count)
        .Select(i => new PreferencePair($"What is {i % 17} + {i / 17}?", $"It's {i % 17 + i / 17}.", i % 2 == 0 ? "I can't help with that request." : "Sorry, I won't answer that."))
        .ToList();

    [Fact]
    public void Chosen_and_rejected_rows_line_up_in_the_concatenated_forward()
    {
        using var scope = NewDisposeScope();
        var tokenizer = CourseTokenizer();
        var template = new ChatTemplate(tokenizer);
        var examples = new[]
        {
            new PreferencePair("What is 2 + 3?", "5", "I don't know, honestly, it depends on who you ask."),
            new PreferencePair("Reverse the word \"mango\".", "ognam", "mango"),
            new PreferencePair("Will it rain in Paris exactly one year from today?", "Nobody can know that.", "Yes."),
        }.Select(p => PreferenceExample.Encode(p, template, 64)).ToList();

        var batch = PreferenceBatch.Collate(examples, tokenizer.PadId, TorchRuntime.Device);
        Assert.Equal(3, batch.Pairs);
        Assert.Equal(6, batch.InputIds.shape[0]);
        var ids = batch.InputIds.cpu();
        var mask = batch.AttentionMask.cpu();
        for (int i = 0; i < 3; i++)
        {
            int[] Row(int row) => ids[row].data<long>().Where((_, t) => mask[row, t].item<long>() == 1).Select(x => (int)x).ToArray();
            Assert.Equal(examples[i].Chosen.InputIds, Row(i));
            Assert.Equal(examples[i].Rejected.InputIds, Row(3 + i));
        }

        // The pair's two rewards from the shared forward equal scoring each conversation alone, so the loss compares the right rows.
        torch.manual_seed(5);
        using var model = new ScalarHeadModel(TinyConfig(tokenizer));
        model.eval();
        var (chosen, rejected) = PreferenceBatch.Split(model.LastTokenValues(batch.InputIds, batch.AttentionMask));
        float Alone(ChatExample example) => model.forward(tensor(example.InputIds.Select(x => (long)x).ToArray(), [1, example.Length]).to(TorchRuntime.Device))[0, -1].item<float>();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Alone(examples[i].Chosen), chosen[i].item<float>(), 5);
            Assert.Equal(Alone(examples[i].Rejected), rejected[i].item<float>(), 5);
        }

        var split = PreferenceBatch.Split(tensor(new float[] { 1, 2, 3, 4, 5, 6 }));
        Assert.Equal([1f, 2, 3], split.Chosen.data<float>().ToArray());
        Assert.Equal([4f, 5, 6], split.Rejected.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => PreferenceBatch.Split(tensor(new float[] { 1, 2, 3 })));
    }

    [Fact]
    public void The_stage_loss_is_the_summed_bradley_terry_loss_of_its_pairs()
    {
        using var scope = NewDisposeScope();
        var tokenizer = CourseTokenizer();
        var template = new ChatTemplate(tokenizer);
        var pairs = EasyPairs(0, 4).Select(p => PreferenceExample.Encode(p, template, 48)).ToList();
        torch.manual_seed(6);
        using var model = new ScalarHeadModel(TinyConfig(tokenizer));
        model.eval();
        var options = new RewardModelOptions { InitFrom = null, Margin = 0.5, Training = new TrainingOptions { BatchSize = 4 } };
        var stage = new RewardModelStage(options, model, tokenizer, pairs, pairs);
        var batch = stage.MicroBatches(0, 1)[0];
        Assert.Equal(4, stage.CountLossItems(batch));
        var output = stage.Loss(batch);

        var (chosen, rejected) = PreferenceBatch.Split(model.LastTokenValues(batch.InputIds, batch.AttentionMask));
        var c = chosen.data<float>().ToArray();
        var r = rejected.data<float>().ToArray();
        double expected = c.Zip(r, (x, y) => Math.Log(1 + Math.Exp(-(x - y - 0.5)))).Sum();
        Assert.Equal(expected, output.LossSum.item<float>(), 4);
        Assert.Equal(c.Zip(r, (x, y) => x > y ? 1.0 : 0.0).Sum(), output.MetricSums!["accuracy"].item<float>(), 5);
        Assert.Equal(c.Zip(r, (x, y) => (double)x - y).Sum(), output.MetricSums["margin"].item<float>(), 4);
    }

    [Fact]
    public void Data_order_is_a_function_of_seed_and_step_and_each_epoch_sees_every_pair_once()
    {
        using var scope = NewDisposeScope();
        var tokenizer = CourseTokenizer();
        var template = new ChatTemplate(tokenizer);
        var pairs = EasyPairs(0, 48).Select(p => PreferenceExample.Encode(p, template, 48)).ToList();
        var options = new RewardModelOptions { InitFrom = null, Training = new TrainingOptions { BatchSize = 4, Seed = 3 } };
        RewardModelStage Stage(RewardModelOptions o) => new(o, new ScalarHeadModel(TinyConfig(tokenizer)), tokenizer, pairs, pairs);
        var first = Stage(options);
        var second = Stage(options);
        static long[] Flat(PreferenceBatch batch) => batch.InputIds.cpu().data<long>().ToArray();
        Assert.Equal(Flat(first.MicroBatches(7, 2)[1]), Flat(second.MicroBatches(7, 2)[1]));
        var otherSeed = Stage(options with { Training = options.Training with { Seed = 4 } });
        Assert.NotEqual(Flat(first.MicroBatches(0, 1)[0]), Flat(otherSeed.MicroBatches(0, 1)[0]));

        // 48 pairs in batches of 4: steps 0..11 are epoch 0, and its chosen rows are exactly the 48 chosen conversations.
        var seen = new List<string>();
        for (int step = 0; step < 12; step++)
        {
            var batch = first.MicroBatches(step, 1)[0];
            var ids = batch.InputIds.cpu();
            var mask = batch.AttentionMask.cpu();
            for (int row = 0; row < batch.Pairs; row++)
                seen.Add(string.Join(",", ids[row].data<long>().Where((_, t) => mask[row, t].item<long>() == 1)));
        }
        Assert.Equal(pairs.Select(p => string.Join(",", p.Chosen.InputIds)).Order(), seen.Order());
    }

    [Fact]
    public void Preference_evaluation_counts_labels_gold_ties_and_unscorable_pairs_by_hand()
    {
        // Differences 1, -1, 0, 3. Pair 2 is a gold tie, pair 3 cannot be scored by the judge.
        var evaluation = new PreferenceEvaluation([2, 0, 1, 3], [1, 1, 1, 0], [1.0, 0.2, 0.5, null], [0.0, 1.0, 0.5, null]);
        Assert.Equal(0.5, evaluation.Accuracy, 12); // 2 > 1 and 3 > 0; the reward tie counts as wrong
        Assert.Equal(0.75, evaluation.MeanMargin, 12);
        // softplus(-1) + softplus(1) + softplus(0) + softplus(-3), over 4.
        Assert.Equal((0.3132617 + 1.3132617 + 0.6931472 + 0.0485874) / 4, evaluation.Loss, 6);
        Assert.Equal(1, evaluation.GoldUnscorable);
        Assert.Equal(1, evaluation.GoldTies);
        Assert.Equal(2, evaluation.GoldPairs);
        Assert.Equal(1.0, evaluation.GoldAccuracy, 12); // the model orders pair 1 against its (wrong) label, as gold does
        Assert.Equal(0.5, evaluation.LabelGoldAgreement, 12);
        Assert.Equal(1.0, evaluation.Metrics("eval_")["eval_gold_accuracy"]);
    }

    [Fact]
    public void A_tiny_run_learns_an_easy_preference_and_saves_a_normalised_reward_model()
    {
        using var files = new TempFiles();
        var data = files.PathOf("data");
        Directory.CreateDirectory(data);
        Checkpoint.CopyTokenizerFiles(Repo.Path("data", "tinyworld", "tokenizer"), Directory.CreateDirectory(Path.Combine(data, "tokenizer")).FullName);
        JsonlRecords.Write(Path.Combine(data, RewardModelTraining.TrainingFile), EasyPairs(0, 160));
        JsonlRecords.Write(Path.Combine(data, RewardModelTraining.HeldOutFile), EasyPairs(200, 40));
        File.WriteAllLines(Path.Combine(data, RewardModelTraining.PromptsFile), Enumerable.Range(0, 12).Select(i => $"What is {i} + 2?"));
        var tokenizer = CourseTokenizer();
        var options = new RewardModelOptions
        {
            DataFolder = data, InitFrom = null, RandomModel = TinyConfig(tokenizer), OutputFolder = files.PathOf("rm"), MaxLength = 48,
            Training = new TrainingOptions { MaxSteps = 40, BatchSize = 8, LearningRate = 3e-3, WarmupSteps = 4, EvalEvery = 20, WeightDecay = 0, Seed = 9 },
            EvalPairs = 0, TrainEvalPairs = 16, NormalizationPrompts = 12, NormalizationMaxNewTokens = 4,
        };

        var result = RewardModelTraining.Run(options);

        Assert.Equal(40, result.HeldOut.Pairs);
        Assert.True(result.HeldOut.Accuracy > 0.9, $"held-out accuracy {result.HeldOut.Accuracy} should be far above chance (0.5)");
        Assert.True(result.HeldOut.GoldAccuracy > 0.9, $"gold accuracy {result.HeldOut.GoldAccuracy}");
        Assert.Equal(0, result.HeldOut.GoldTies);
        Assert.Equal(1.0, result.HeldOut.LabelGoldAgreement);
        Assert.Equal(0, result.TruncatedPairs);
        Assert.Equal([20.0, 40.0], result.Training.History.Series("eval/accuracy").Select(p => p.Step));
        Assert.True(result.HeldOut.MeanMargin > 0);

        // The normalisation makes the samples it was computed from mean 0, std 1.
        Assert.Equal(12, result.Samples.Count);
        Assert.Equal(result.Samples.Average(s => s.RawReward), result.Normalization.Mean, 9);
        Assert.Equal(0.0, result.Samples.Average(s => s.Reward), 9);
        Assert.Equal(1.0, Math.Sqrt(result.Samples.Average(s => s.Reward * s.Reward)), 9);

        // The saved folder is a reward checkpoint that scores like the trained model (weights were rounded to float16 before scoring).
        using var loaded = RewardModel.Load(options.OutputFolder);
        Assert.Equal(result.Normalization, loaded.Normalization);
        var metadata = Checkpoint.ReadMetadata(options.OutputFolder);
        Assert.Equal(("9", "40", "random", "rm"), (metadata["seed"], metadata["steps"], metadata["init_from"], metadata["stage"]));
        // Written once, by the trainer's final save, in the shipped element type.
        Assert.All(SafetensorsHeader.Read(Path.Combine(options.OutputFolder, Checkpoint.WeightsFile)).Entries, e => Assert.Equal("F16", e.Dtype));
        Assert.True(File.Exists(Path.Combine(options.OutputFolder, "history.json")));
        var pair = EasyPairs(200, 1)[0];
        var scores = loaded.Score([(pair.Prompt, pair.Chosen), (pair.Prompt, pair.Rejected)]);
        // Within 1e-4, not "equal to 4 decimal places": the two batches differ in shape, so float sums may differ in the 6th
        // digit, and rounding 1.23744896 and 1.23745060 to 4 places gives 1.2374 and 1.2375 (it failed that way once in CI).
        Assert.Equal(result.Normalization.Apply(result.HeldOut.ChosenRewards[0]), scores[0], tolerance: 1e-4);
        Assert.Equal(result.Normalization.Apply(result.HeldOut.RejectedRewards[0]), scores[1], tolerance: 1e-4);
    }
}
