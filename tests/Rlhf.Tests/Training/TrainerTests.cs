using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

[Collection(GlobalRandomRuns.Name)]
public class TrainerTests
{
    static TrainingOptions Options(int batch, int accumulation, int steps = 3, long seed = 11) => new()
    {
        Seed = seed, BatchSize = batch, GradientAccumulationSteps = accumulation, MaxSteps = steps, WarmupSteps = 1,
        LearningRate = 0.05, EvalEvery = 0, MaxGradNorm = 0,
    };

    static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    [Fact]
    public void Accumulated_gradients_equal_one_big_batch_however_tokens_are_spread()
    {
        float[] Gradient(int batch, int accumulation)
        {
            var stage = new ToyStage(Options(batch, accumulation), dropout: 0);
            using var scope = NewDisposeScope();
            Trainer<ToyStage.Batch>.AccumulateGradients(stage, stage.MicroBatches(0, accumulation));
            return stage.Gradients();
        }
        var big = Gradient(8, 1);
        Assert.True(MaxDifference(big, Gradient(1, 8)) < 1e-6);
        Assert.True(MaxDifference(big, Gradient(2, 4)) < 1e-6);

        // The bug this guards against: averaging per micro-batch, then over micro-batches, weights short sequences up.
        var stage = new ToyStage(Options(1, 8), dropout: 0);
        using (var scope = NewDisposeScope())
            foreach (var b in stage.MicroBatches(0, 8))
                (stage.Loss(b).LossSum / b.Tokens / 8).backward();
        Assert.True(MaxDifference(big, stage.Gradients()) > 1e-4, "the per-micro-batch mean should differ: the test data must have uneven lengths");
    }

    [Fact]
    public void Batch_8_by_1_and_batch_1_by_8_make_the_same_updates()
    {
        var big = new ToyStage(Options(8, 1), dropout: 0);
        var small = new ToyStage(Options(1, 8), dropout: 0);
        new Trainer<ToyStage.Batch>(big, Options(8, 1)).Train();
        new Trainer<ToyStage.Batch>(small, Options(1, 8)).Train();
        Assert.True(MaxDifference(big.Parameters(), small.Parameters()) < 1e-5);
    }

    [Fact]
    public void Same_seed_gives_the_same_numbers_and_another_seed_does_not()
    {
        double[] Losses(long seed)
        {
            var options = Options(4, 2, steps: 6, seed: seed);
            return new Trainer<ToyStage.Batch>(new ToyStage(options), options).Train().History.Series("loss").Select(p => p.Value).ToArray();
        }
        Assert.Equal(Losses(5), Losses(5));
        Assert.NotEqual(Losses(5), Losses(6));
    }

    [Fact]
    public void Training_lowers_the_loss_and_records_history_and_evaluations()
    {
        var options = Options(8, 1, steps: 40) with { EvalEvery = 20 };
        var result = new Trainer<ToyStage.Batch>(new ToyStage(options), options).Train();
        var loss = result.History.Series("loss");
        Assert.Equal(40, loss.Count);
        Assert.True(loss.TakeLast(5).Average(p => p.Value) < loss.Take(5).Average(p => p.Value) - 0.3);
        Assert.Equal([20.0, 40.0], result.History.Series("eval/loss").Select(p => p.Step));
        Assert.Contains("accuracy", result.History.Names);
        Assert.Equal(result.FinalEvaluation["eval/loss"], result.History.Last("eval/loss"));
    }

    [Fact]
    public void Resuming_from_a_checkpoint_continues_exactly_like_an_uninterrupted_run()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-resume").FullName;
        try
        {
            var options = Options(4, 2, steps: 10) with { CheckpointEvery = 5 };
            var uninterrupted = new Trainer<ToyStage.Batch>(new ToyStage(options), options, Path.Combine(folder, "a")).Train();

            // A fresh process builds the stage from scratch; its random generator is somewhere else by then.
            var resumedStage = new ToyStage(options);
            torch.rand(17).Dispose();
            var resumed = new Trainer<ToyStage.Batch>(resumedStage, options, Path.Combine(folder, "b"))
                .Train(resumeFrom: Path.Combine(folder, "a", "checkpoints", "step-000005"));

            var expected = uninterrupted.History.Series("loss").Skip(5).Select(p => p.Value).ToArray();
            var actual = resumed.History.Series("loss").Skip(5).Select(p => p.Value).ToArray();
            Assert.Equal(5, actual.Length);
            Assert.Equal(expected, actual); // bit-identical: same weights, optimizer moments, data and dropout masks
            Assert.Equal(uninterrupted.History.Series("loss").Take(5), resumed.History.Series("loss").Take(5));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_nan_loss_stops_training_naming_the_step_and_the_last_good_checkpoint()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-nan").FullName;
        try
        {
            var options = Options(4, 1, steps: 10) with { CheckpointEvery = 2 };
            var stage = new ToyStage(options) { PoisonFromStep = 5 };
            var error = Assert.Throws<TrainingDivergedException>(() => new Trainer<ToyStage.Batch>(stage, options, folder).Train());
            Assert.Equal(5, error.Step);
            // step-000004's weights are the ones step 5's loss was computed on, and it was not finite: not known good.
            Assert.Equal(Path.Combine(folder, "checkpoints", "step-000002"), error.LastCheckpoint);
            Assert.Contains("step 5", error.Message);
            Assert.Contains("step-000002", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Resuming_with_other_training_options_is_refused_naming_each_difference()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-resume-options").FullName;
        try
        {
            var options = Options(4, 2, steps: 4) with { CheckpointEvery = 2 };
            new Trainer<ToyStage.Batch>(new ToyStage(options), options, Path.Combine(folder, "a")).Train();
            var checkpoint = Path.Combine(folder, "a", "checkpoints", "step-000002");

            var other = options with { BatchSize = 8, MaxSteps = 6, CheckpointEvery = 3 }; // checkpoint_every may change
            var error = Assert.Throws<ArgumentException>(() => new Trainer<ToyStage.Batch>(new ToyStage(other), other, Path.Combine(folder, "b")).Train(checkpoint));
            Assert.Contains("batch_size 4 -> 8", error.Message);
            Assert.Contains("max_steps 4 -> 6", error.Message);
            Assert.DoesNotContain("checkpoint_every 2", error.Message);
            Assert.Contains("trainer_state.json", error.Message);

            var same = options with { CheckpointEvery = 1, LearningRate = options.LearningRate / 10 }; // a diverged run's remedy
            var resumed = new Trainer<ToyStage.Batch>(new ToyStage(same), same, Path.Combine(folder, "c")).Train(checkpoint);
            Assert.Equal(4, resumed.Steps);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_malformed_trainer_state_or_a_truncated_optimizer_file_is_named()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-resume-corrupt").FullName;
        try
        {
            var options = Options(4, 1, steps: 2) with { CheckpointEvery = 1 };
            new Trainer<ToyStage.Batch>(new ToyStage(options), options, Path.Combine(folder, "a")).Train();
            var first = Path.Combine(folder, "a", "checkpoints", "step-000001");
            var second = Path.Combine(folder, "a", "checkpoints", "step-000002");
            File.WriteAllText(Path.Combine(first, "trainer_state.json"), "{ \"step\": ");
            var optimizerFile = Path.Combine(second, "optimizer.bin");
            File.WriteAllBytes(optimizerFile, File.ReadAllBytes(optimizerFile)[..40]);

            var state = Assert.Throws<InvalidDataException>(() => new Trainer<ToyStage.Batch>(new ToyStage(options), options).Train(first));
            Assert.Contains(Path.Combine(first, "trainer_state.json"), state.Message);
            var optimizer = Assert.Throws<InvalidDataException>(() => new Trainer<ToyStage.Batch>(new ToyStage(options), options).Train(second));
            Assert.Contains(optimizerFile, optimizer.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_half_written_checkpoint_of_a_killed_process_is_removed_when_training_starts_again()
    {
        var folder = Directory.CreateTempSubdirectory("rlhf-abandoned-").FullName;
        try
        {
            // A PID that cannot be running: larger than any the kernel hands out.
            var abandoned = Directory.CreateDirectory(Path.Combine(folder, "checkpoints", ".step-000004.99999999.tmp")).FullName;
            File.WriteAllText(Path.Combine(abandoned, "trainer_state.json"), "{");
            var options = Options(4, 1, steps: 2) with { CheckpointEvery = 1 };
            new Trainer<ToyStage.Batch>(new ToyStage(options), options, folder).Train();

            Assert.False(Directory.Exists(abandoned));
            Assert.Equal(["step-000001", "step-000002"], Directory.GetDirectories(Path.Combine(folder, "checkpoints")).Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_checkpoint_whose_weights_already_diverged_is_never_called_good()
    {
        // A learning rate of 1e30 takes step 1's finite loss to weights of ~1e30: saved as step-000001, but step 2's loss on
        // them overflows. Calling step-000001 "the last good checkpoint" would send the user to resume into the same wall.
        var folder = Directory.CreateTempSubdirectory("rlhf-diverge-").FullName;
        try
        {
            var options = Options(4, 1, steps: 5) with { CheckpointEvery = 1, LearningRate = 1e30, WarmupSteps = 0 };
            var error = Assert.Throws<TrainingDivergedException>(() => new Trainer<ToyStage.Batch>(new ToyStage(options), options, folder).Train());
            Assert.Equal(2, error.Step);
            Assert.Null(error.LastCheckpoint);
            Assert.True(Directory.Exists(Path.Combine(folder, "checkpoints", "step-000001")), "the checkpoint was written; it is only not called good");
            Assert.Contains("No checkpoint known to be good", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Live_tensor_count_stays_flat_over_200_steps()
    {
        var options = Options(4, 2, steps: 200) with { EvalEvery = 50 };
        var counts = new CountingObserver();
        new Trainer<ToyStage.Batch>(new ToyStage(options), options, observers: [counts]).Train();
        Assert.Equal(counts.LiveAt[10], counts.LiveAt[200]);
    }

    [Fact]
    public void TensorBoard_event_files_are_written_when_a_log_directory_is_given()
    {
        var logs = Directory.CreateTempSubdirectory("rlhf-tb").FullName;
        try
        {
            var options = Options(4, 1, steps: 3) with { LogDirectory = logs };
            new Trainer<ToyStage.Batch>(new ToyStage(options), options).Train();
            var events = Directory.GetFiles(logs, "events.out.tfevents*", SearchOption.AllDirectories);
            Assert.NotEmpty(events);
            Assert.True(new FileInfo(events[0]).Length > 100);
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }

    sealed class CountingObserver : ITrainingObserver
    {
        public Dictionary<int, long> LiveAt { get; } = [];
        public void OnStep(TrainingStep step) => LiveAt[step.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
    }
}
