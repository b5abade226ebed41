using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// The training loop every stage shares (nanoGPT's loop, with TRL's token-normalised accumulation):
/// per step, the learning rate from a pure schedule -> micro-batches -> loss summed over loss items and divided
/// by the items of ALL the step's micro-batches -> backward -> clip -> AdamW step -> zero grad -> log; evaluation
/// and atomic, resumable checkpoints on a cadence; a NaN/infinite loss stops the run naming the last good checkpoint (one
/// whose weights then gave a finite loss: a checkpoint saved right before the divergence may already hold the bad update).
/// </summary>
/// <typeparam name="TBatch">The stage's micro-batch type.</typeparam>
public sealed class Trainer<TBatch> : ILoopStage
{
    const string OptimizerFile = "optimizer.bin";

    readonly ITrainingStage<TBatch> stage;
    readonly TrainingOptions options;
    readonly List<Parameter> parameters;
    readonly AdamW optimizer;
    readonly TrainingLoop loop;

    /// <summary>The metrics recorded so far.</summary>
    public MetricsHistory History => loop.History;

    /// <summary>Sets up AdamW over the stage model's trainable parameters. Weight decay applies to matrices and
    /// embeddings only, not to biases and LayerNorm gains (GPT-2 / nanoGPT convention).</summary>
    public Trainer(ITrainingStage<TBatch> stage, TrainingOptions options, string? outputFolder = null, IEnumerable<ITrainingObserver>? observers = null)
    {
        options.Validate();
        this.stage = stage;
        this.options = options;
        parameters = stage.Model.parameters().Where(p => p.requires_grad).ToList();
        var decayed = parameters.Where(p => p.dim() >= 2).ToList();
        var notDecayed = parameters.Where(p => p.dim() < 2).ToList();
        optimizer = optim.AdamW([
            new AdamW.ParamGroup(decayed, options.LearningRate, options.Beta1, options.Beta2, options.AdamEpsilon, options.WeightDecay, false, false),
            new AdamW.ParamGroup(notDecayed, options.LearningRate, options.Beta1, options.Beta2, options.AdamEpsilon, 0.0, false, false),
        ], options.LearningRate, options.Beta1, options.Beta2, options.AdamEpsilon, options.WeightDecay, false, false);
        loop = new TrainingLoop(this, outputFolder, options.CheckpointEvery, options.LogDirectory, observers);
    }

    /// <summary>Trains to <see cref="TrainingOptions.MaxSteps"/>, from scratch or from a checkpoint folder written by this trainer.</summary>
    public TrainingResult Train(string? resumeFrom = null)
    {
        stage.Model.train();
        return loop.Run(resumeFrom);
    }

    int ILoopStage.TotalSteps => options.MaxSteps;

    JsonObject ILoopStage.OptionsSnapshot => JsonSerializer.SerializeToNode(options, OptionsBinder.Json)!.AsObject();

    /// <summary>Options a resumed run may change: how often it evaluates, saves or logs, and the optimisation knobs a run that
    /// diverged needs turned down before it resumes from its last good checkpoint (the divergence message suggests them).</summary>
    IReadOnlySet<string> ILoopStage.ResumableChanges { get; } = new HashSet<string>
        { "eval_every", "checkpoint_every", "log_directory", "learning_rate", "min_learning_rate_ratio", "warmup_steps", "max_grad_norm" };

    /// <summary>One optimizer step: the learning rate from the schedule, token-normalised gradients accumulated over the step's
    /// micro-batches, the finite check, clip, update. One host read of the loss per step (the NaN guard needs it).</summary>
    TrainingStep ILoopStage.Step(int step)
    {
        double learningRate = LearningRateSchedule.CosineWithWarmup(
            step, options.MaxSteps, options.WarmupSteps, options.LearningRate, options.MinLearningRateRatio);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var (lossSum, metricSums, items) = AccumulateGradients(stage, stage.MicroBatches(step, options.GradientAccumulationSteps));
        double loss = lossSum.item<float>() / items;
        if (!double.IsFinite(loss))
        {
            optimizer.zero_grad(); // no update: the loop stops here
            return new TrainingStep(step + 1, options.MaxSteps, loss, learningRate, double.NaN, items, 0, new Dictionary<string, double>());
        }
        double gradientNorm = nn.utils.clip_grad_norm_(parameters, options.MaxGradNorm > 0 ? options.MaxGradNorm : double.PositiveInfinity);
        optimizer.step();
        optimizer.zero_grad();
        var metrics = metricSums.ToDictionary(m => m.Key, m => m.Value.item<float>() / (double)items);
        return new TrainingStep(step + 1, options.MaxSteps, loss, learningRate, gradientNorm, items,
            items / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), metrics);
    }

    /// <summary>
    /// Backpropagates sum(loss over all micro-batches) / (loss items of all micro-batches), one micro-batch at a time:
    /// the gradient equals that of one big batch, however the items are spread over the micro-batches (the TRL
    /// gradient-accumulation bug class is averaging per micro-batch instead). Returns the detached sums.
    /// </summary>
    internal static (Tensor LossSum, Dictionary<string, Tensor> MetricSums, long Items) AccumulateGradients(
        ITrainingStage<TBatch> stage, IReadOnlyList<TBatch> microBatches)
    {
        long items = microBatches.Sum(stage.CountLossItems);
        if (items <= 0) throw new InvalidOperationException("a training step has no loss items (every loss-mask entry is 0): check the data and the chat template's mask");
        Tensor lossSum = zeros(1, device: TorchRuntime.Device).squeeze();
        var metricSums = new Dictionary<string, Tensor>();
        foreach (var batch in microBatches)
        {
            var output = stage.Loss(batch);
            (output.LossSum / items).backward();
            lossSum = lossSum + output.LossSum.detach();
            foreach (var (name, value) in output.MetricSums ?? new Dictionary<string, Tensor>())
                metricSums[name] = metricSums.TryGetValue(name, out var sum) ? sum + value.detach() : value.detach();
        }
        return (lossSum, metricSums, items);
    }

    IReadOnlyDictionary<string, double>? ILoopStage.Evaluate(int step, bool last)
    {
        if (!last && (options.EvalEvery == 0 || step % options.EvalEvery != 0)) return null;
        stage.Model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return stage.Evaluate().ToDictionary(m => m.Key.StartsWith("eval/") ? m.Key : "eval/" + m.Key, m => m.Value);
        }
        finally
        {
            stage.Model.train();
        }
    }

    bool ILoopStage.WeightsAreFinite()
    {
        using var scope = NewDisposeScope();
        return stage.Model.parameters().All(p => p.isfinite().all().item<bool>());
    }

    /// <summary>Model and optimizer moments.</summary>
    void ILoopStage.SaveState(string folder)
    {
        stage.SaveModel(folder);
        optimizer.save_state_dict(Path.Combine(folder, OptimizerFile));
    }

    void ILoopStage.LoadState(string folder)
    {
        stage.LoadModel(folder);
        OptimizerState.Load(optimizer, Path.Combine(folder, OptimizerFile));
    }

    void ILoopStage.SaveFinal(string folder) => stage.SaveFinalModel(folder);
}
