using System.Diagnostics;
using System.Text.Json;
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
public sealed class Trainer<TBatch>
{
    const string OptimizerFile = "optimizer.bin", StateFile = "trainer_state.json", RngFile = "rng_state.bin", HistoryFile = "history.json";

    readonly ITrainingStage<TBatch> stage;
    readonly TrainingOptions options;
    readonly string? outputFolder;
    readonly IReadOnlyList<ITrainingObserver> observers;
    readonly List<Parameter> parameters;
    readonly AdamW optimizer;
    /// <summary>The newest checkpoint known to be good: its weights gave a finite loss when training went on from them.</summary>
    string? lastCheckpoint;

    /// <summary>The newest checkpoint not yet known good (saved, but no loss computed on its weights yet).</summary>
    string? unverifiedCheckpoint;

    /// <summary>The metrics recorded so far.</summary>
    public MetricsHistory History { get; private set; } = new();

    /// <summary>Sets up AdamW over the stage model's trainable parameters. Weight decay applies to matrices and
    /// embeddings only, not to biases and LayerNorm gains (GPT-2 / nanoGPT convention).</summary>
    public Trainer(ITrainingStage<TBatch> stage, TrainingOptions options, string? outputFolder = null, IEnumerable<ITrainingObserver>? observers = null)
    {
        options.Validate();
        this.stage = stage;
        this.options = options;
        this.outputFolder = outputFolder;
        this.observers = [.. observers ?? [], .. options.LogDirectory is null ? [] : new ITrainingObserver[] { new TensorBoardObserver(options.LogDirectory) }];
        parameters = stage.Model.parameters().Where(p => p.requires_grad).ToList();
        var decayed = parameters.Where(p => p.dim() >= 2).ToList();
        var notDecayed = parameters.Where(p => p.dim() < 2).ToList();
        optimizer = optim.AdamW([
            new AdamW.ParamGroup(decayed, options.LearningRate, options.Beta1, options.Beta2, 1e-8, options.WeightDecay, false, false),
            new AdamW.ParamGroup(notDecayed, options.LearningRate, options.Beta1, options.Beta2, 1e-8, 0.0, false, false),
        ], options.LearningRate, options.Beta1, options.Beta2, 1e-8, options.WeightDecay, false, false);
    }

    /// <summary>Trains to <see cref="TrainingOptions.MaxSteps"/>, from scratch or from a checkpoint folder written by this trainer.</summary>
    public TrainingResult Train(string? resumeFrom = null)
    {
        int step = resumeFrom is null ? 0 : Resume(resumeFrom);
        unverifiedCheckpoint = resumeFrom;
        RemoveAbandonedCheckpointFolders();
        foreach (var o in observers) o.OnStart(step, options.MaxSteps);
        double loss = double.NaN;
        IReadOnlyDictionary<string, double> evaluation = new Dictionary<string, double>();
        stage.Model.train();
        while (step < options.MaxSteps)
        {
            double learningRate = LearningRateSchedule.CosineWithWarmup(
                step, options.MaxSteps, options.WarmupSteps, options.LearningRate, options.MinLearningRateRatio);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;

            var result = Step(step, learningRate);
            step++;
            loss = result.Loss;
            var row = new Dictionary<string, double>(result.Metrics)
            {
                ["loss"] = result.Loss, ["learning_rate"] = learningRate, ["grad_norm"] = result.GradientNorm,
                ["items_per_second"] = result.ItemsPerSecond,
            };
            History.Add(step, row);
            foreach (var o in observers) o.OnStep(result);

            bool last = step == options.MaxSteps;
            if (last || (options.EvalEvery > 0 && step % options.EvalEvery == 0))
            {
                evaluation = Evaluate();
                History.Add(step, evaluation);
                foreach (var o in observers) o.OnEvaluation(step, evaluation);
            }
            if (outputFolder is not null && (last || (options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)))
                SaveCheckpoint(step);
        }
        if (outputFolder is not null) SaveFinal();
        var final = new TrainingResult(step, loss, evaluation, History, outputFolder);
        foreach (var o in observers) o.OnEnd(final);
        return final;
    }

    /// <summary>One optimizer step: accumulate token-normalised gradients over the step's micro-batches, check the loss is
    /// finite, clip, update. One host read of the loss per step (the NaN guard needs it), none per micro-batch.</summary>
    TrainingStep Step(int step, double learningRate)
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var (lossSum, metricSums, items) = AccumulateGradients(stage, stage.MicroBatches(step, options.GradientAccumulationSteps));
        double loss = lossSum.item<float>() / items;
        if (!double.IsFinite(loss))
        {
            optimizer.zero_grad();
            throw new TrainingDivergedException(step + 1, loss, lastCheckpoint);
        }
        // The weights this loss was computed on are the newest checkpoint's: they gave a finite loss, so it is good.
        if (unverifiedCheckpoint is not null) (lastCheckpoint, unverifiedCheckpoint) = (unverifiedCheckpoint, null);
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

    IReadOnlyDictionary<string, double> Evaluate()
    {
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

    /// <summary>Deletes <c>checkpoints/.step-NNNNNN.PID.tmp</c> folders left by a process that was killed while saving (its PID
    /// no longer runs): they are never complete checkpoints, and nothing else would ever remove them.</summary>
    void RemoveAbandonedCheckpointFolders()
    {
        var root = outputFolder is null ? null : Path.Combine(outputFolder, Checkpoints.AtomicFile.KeptFolder);
        if (root is null || !Directory.Exists(root)) return;
        foreach (var folder in Directory.GetDirectories(root, ".step-*.tmp"))
        {
            var parts = Path.GetFileName(folder).Split('.'); // "", "step-000004", "PID", "tmp"
            if (parts.Length == 4 && int.TryParse(parts[2], out var pid) && !IsRunning(pid)) Directory.Delete(folder, recursive: true);
        }
    }

    static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true; // another trainer of this process may be saving into it right now
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    /// <summary>Writes <c>checkpoints/step-NNNNNN</c>: model, optimizer moments, RNG state, step and history. Written to a
    /// temporary folder and renamed, so a crash never leaves a half-written checkpoint that looks complete.</summary>
    void SaveCheckpoint(int step)
    {
        using (NewDisposeScope())
            if (stage.Model.parameters().Any(p => !p.isfinite().all().item<bool>()))
                throw new TrainingDivergedException(step, double.NaN, lastCheckpoint, "the weights after this step are not finite");
        var root = Path.Combine(outputFolder!, Checkpoints.AtomicFile.KeptFolder);
        Directory.CreateDirectory(root);
        var final = Path.Combine(root, $"step-{step:D6}");
        var temporary = Path.Combine(root, $".step-{step:D6}.{Environment.ProcessId}.tmp");
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        stage.SaveModel(temporary);
        optimizer.save_state_dict(Path.Combine(temporary, OptimizerFile));
        using (var rng = random.get_rng_state()) File.WriteAllBytes(Path.Combine(temporary, RngFile), rng.data<byte>().ToArray());
        File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(new TrainerState(step, options), OptionsBinder.Json));
        History.Save(Path.Combine(temporary, HistoryFile));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temporary, final);
        unverifiedCheckpoint = final; // good once a finite loss has been computed on these weights
        foreach (var o in observers) o.OnCheckpoint(step, final);
    }

    /// <summary>The stage's output folder gets the final model and the run's history (what the next stage and the plots read).
    /// The step checkpoints under it survive: <see cref="Checkpoints.AtomicFile.WriteFolder"/> keeps <c>checkpoints/</c>.</summary>
    void SaveFinal()
    {
        Directory.CreateDirectory(outputFolder!);
        stage.SaveFinalModel(outputFolder!);
        History.Save(Path.Combine(outputFolder!, HistoryFile));
    }

    int Resume(string folder)
    {
        var statePath = Path.Combine(folder, StateFile);
        if (!File.Exists(statePath)) throw new FileNotFoundException($"'{folder}' is not a trainer checkpoint: {StateFile} is missing", statePath);
        TrainerState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(statePath), OptionsBinder.Json)
                    ?? throw new InvalidDataException($"'{statePath}' is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{statePath}' line {e.LineNumber + 1}, field {e.Path}: {e.Message}", e);
        }
        RequireSameOptions(state.Options, statePath);
        stage.LoadModel(folder);
        var optimizerPath = Path.Combine(folder, OptimizerFile);
        try
        {
            optimizer.load_state_dict(optimizerPath);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{optimizerPath}' cannot be read ({e.Message}): the checkpoint is incomplete or corrupt; resume from an earlier one", e);
        }
        var rngBytes = File.ReadAllBytes(Path.Combine(folder, RngFile));
        using (var rng = tensor(rngBytes, dtype: ScalarType.Byte)) random.set_rng_state(rng);
        History = MetricsHistory.Load(Path.Combine(folder, HistoryFile));
        return state.Step;
    }

    /// <summary>Options a resumed run may change: how often it evaluates, saves or logs, and the optimisation knobs a run that
    /// diverged needs turned down before it resumes from its last good checkpoint (the divergence message suggests them).</summary>
    static readonly HashSet<string> mayChange =
        ["eval_every", "checkpoint_every", "log_directory", "learning_rate", "min_learning_rate_ratio", "warmup_steps", "max_grad_norm"];

    /// <summary>Refuses to resume with training options other than the checkpoint's (as HF Trainer compares its arguments):
    /// another seed, batch size, accumulation, length or optimizer would silently make a different run than the one the
    /// checkpoint belongs to. Only the options in <see cref="mayChange"/> may differ.</summary>
    void RequireSameOptions(TrainingOptions saved, string statePath)
    {
        var before = JsonSerializer.SerializeToNode(saved, OptionsBinder.Json)!.AsObject();
        var now = JsonSerializer.SerializeToNode(options, OptionsBinder.Json)!.AsObject();
        var differences = before.Select(p => p.Key).Union(now.Select(p => p.Key))
            .Where(name => !mayChange.Contains(name) && !System.Text.Json.Nodes.JsonNode.DeepEquals(before[name], now[name]))
            .Select(name => $"{name} {before[name]?.ToJsonString() ?? "(none)"} -> {now[name]?.ToJsonString() ?? "(none)"}")
            .ToList();
        if (differences.Count > 0)
            throw new ArgumentException(
                $"cannot resume from {Path.GetDirectoryName(statePath)}: the training options differ from the ones it was saved with ({StateFile}): " +
                $"{string.Join(", ", differences)}. Resume with the same options (only {string.Join(", ", mayChange)} may change), or start a new run.");
    }

    /// <summary>What a checkpoint records about the loop itself.</summary>
    sealed record TrainerState(int Step, TrainingOptions Options);
}
