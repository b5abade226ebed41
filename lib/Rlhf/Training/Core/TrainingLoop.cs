using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// The one training loop every stage runs in: step after step, it records the history, tells the observers, evaluates on
/// the stage's cadence, writes atomic, resumable checkpoints (<c>checkpoints/step-NNNNNN</c>: the stage's state, the RNG,
/// the step, the options and the history), resumes from one, and stops on a non-finite loss naming the last good
/// checkpoint (one whose weights then gave a finite loss: a checkpoint saved right before the divergence may already hold
/// the bad update). The stage (<see cref="ILoopStage"/>) supplies the step itself.
/// </summary>
public sealed class TrainingLoop
{
    const string StateFile = "trainer_state.json", RngFile = "rng_state.bin", HistoryFile = "history.json";

    readonly ILoopStage stage;
    readonly string? outputFolder;
    readonly int checkpointEvery;
    readonly IReadOnlyList<ITrainingObserver> observers;

    /// <summary>The newest checkpoint known to be good: its weights gave a finite loss when training went on from them.</summary>
    string? lastCheckpoint;

    /// <summary>The newest checkpoint not yet known good (saved, but no loss computed on its weights yet).</summary>
    string? unverifiedCheckpoint;

    /// <summary>The loop over <paramref name="stage"/>: checkpoints every <paramref name="checkpointEvery"/> steps (0: only the
    /// last, when the stage asks for it) under <paramref name="outputFolder"/> (null writes nothing); TensorBoard event files
    /// in <paramref name="logDirectory"/> when given.</summary>
    public TrainingLoop(ILoopStage stage, string? outputFolder, int checkpointEvery, string? logDirectory, IEnumerable<ITrainingObserver>? observers)
    {
        this.stage = stage;
        this.outputFolder = outputFolder;
        this.checkpointEvery = checkpointEvery;
        this.observers = [.. observers ?? [], .. logDirectory is null ? [] : new ITrainingObserver[] { new TensorBoardObserver(logDirectory) }];
    }

    /// <summary>The metrics recorded so far.</summary>
    public MetricsHistory History { get; private set; } = new();

    /// <summary>Runs to <see cref="ILoopStage.TotalSteps"/>, from scratch or from a checkpoint folder this loop wrote.</summary>
    public TrainingResult Run(string? resumeFrom = null)
    {
        int step = resumeFrom is null ? 0 : Resume(resumeFrom);
        unverifiedCheckpoint = resumeFrom;
        RemoveAbandonedCheckpointFolders();
        foreach (var o in observers) o.OnStart(step, stage.TotalSteps);
        double loss = double.NaN;
        IReadOnlyDictionary<string, double>? evaluation = null;
        while (step < stage.TotalSteps)
        {
            var result = stage.Step(step);
            if (!double.IsFinite(result.Loss)) throw new TrainingDivergedException(step + 1, result.Loss, lastCheckpoint);
            // The weights this loss was computed on are the newest checkpoint's: they gave a finite loss, so it is good.
            if (unverifiedCheckpoint is not null) (lastCheckpoint, unverifiedCheckpoint) = (unverifiedCheckpoint, null);
            step++;
            loss = result.Loss;
            History.Add(step, new Dictionary<string, double>(result.Metrics)
            {
                ["loss"] = result.Loss, ["learning_rate"] = result.LearningRate, ["grad_norm"] = result.GradientNorm,
                ["items_per_second"] = result.ItemsPerSecond,
            });
            foreach (var o in observers) o.OnStep(result);

            bool last = step == stage.TotalSteps;
            if (stage.Evaluate(step, last) is { } metrics)
            {
                evaluation = metrics;
                History.Add(step, metrics);
                foreach (var o in observers) o.OnEvaluation(step, metrics);
            }
            else if (last)
            {
                evaluation = stage.Summary(History);
                foreach (var o in observers) o.OnEvaluation(step, evaluation);
            }
            bool due = checkpointEvery > 0 && step % checkpointEvery == 0;
            if (outputFolder is not null && (last ? stage.CheckpointsLastStep : due)) SaveCheckpoint(step);
        }
        if (outputFolder is not null)
        {
            Directory.CreateDirectory(outputFolder);
            stage.SaveFinal(outputFolder);
            History.Save(Path.Combine(outputFolder, HistoryFile));
        }
        var final = new TrainingResult(step, loss, evaluation ?? new Dictionary<string, double>(), History, outputFolder);
        foreach (var o in observers) o.OnEnd(final);
        return final;
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
        if (pid == Environment.ProcessId) return true; // another loop of this process may be saving into it right now
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

    /// <summary>Writes <c>checkpoints/step-NNNNNN</c>: the stage's state, RNG state, step, options and history. Written to a
    /// temporary folder and renamed, so a crash never leaves a half-written checkpoint that looks complete.</summary>
    void SaveCheckpoint(int step)
    {
        if (!stage.WeightsAreFinite())
            throw new TrainingDivergedException(step, double.NaN, lastCheckpoint, "the weights after this step are not finite");
        var root = Path.Combine(outputFolder!, Checkpoints.AtomicFile.KeptFolder);
        Directory.CreateDirectory(root);
        var final = Path.Combine(root, $"step-{step:D6}");
        var temporary = Path.Combine(root, $".step-{step:D6}.{Environment.ProcessId}.tmp");
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        stage.SaveState(temporary);
        using (var rng = random.get_rng_state()) File.WriteAllBytes(Path.Combine(temporary, RngFile), rng.data<byte>().ToArray());
        var state = new JsonObject { ["step"] = step, ["options"] = stage.OptionsSnapshot.DeepClone() };
        File.WriteAllText(Path.Combine(temporary, StateFile), state.ToJsonString(OptionsBinder.Json));
        History.Save(Path.Combine(temporary, HistoryFile));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temporary, final);
        unverifiedCheckpoint = final; // good once a finite loss has been computed on these weights
        foreach (var o in observers) o.OnCheckpoint(step, final);
    }

    int Resume(string folder)
    {
        var statePath = Path.Combine(folder, StateFile);
        if (!File.Exists(statePath)) throw new FileNotFoundException($"'{folder}' is not a trainer checkpoint: {StateFile} is missing", statePath);
        int step;
        JsonObject saved;
        try
        {
            var state = JsonNode.Parse(File.ReadAllText(statePath))?.AsObject() ?? throw new InvalidDataException($"'{statePath}' is empty");
            step = state["step"]?.GetValue<int>() ?? throw new InvalidDataException($"'{statePath}': field step is missing");
            saved = state["options"]?.AsObject() ?? throw new InvalidDataException($"'{statePath}': field options is missing");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{statePath}' line {e.LineNumber + 1}, field {e.Path}: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{statePath}': {e.Message}", e);
        }
        RequireSameOptions(saved, statePath);
        stage.LoadState(folder);
        var rngBytes = File.ReadAllBytes(Path.Combine(folder, RngFile));
        using (var rng = tensor(rngBytes, dtype: ScalarType.Byte)) random.set_rng_state(rng);
        History = MetricsHistory.Load(Path.Combine(folder, HistoryFile));
        return step;
    }

    /// <summary>Refuses to resume with options other than the checkpoint's (as HF Trainer compares its arguments): another
    /// seed, batch size, length or optimizer would silently make a different run than the one the checkpoint belongs to.
    /// Only <see cref="ILoopStage.ResumableChanges"/> may differ.</summary>
    void RequireSameOptions(JsonObject saved, string statePath)
    {
        var before = OptionsBinder.Flatten(saved);
        var now = OptionsBinder.Flatten(stage.OptionsSnapshot);
        var mayChange = stage.ResumableChanges;
        var differences = before.Keys.Union(now.Keys)
            .Where(name => !mayChange.Contains(name) && !JsonNode.DeepEquals(before.GetValueOrDefault(name), now.GetValueOrDefault(name)))
            .Select(name => $"{name} {before.GetValueOrDefault(name)?.ToJsonString() ?? "(none)"} -> {now.GetValueOrDefault(name)?.ToJsonString() ?? "(none)"}")
            .ToList();
        if (differences.Count > 0)
            throw new ArgumentException(
                $"cannot resume from {Path.GetDirectoryName(statePath)}: the training options differ from the ones it was saved with ({StateFile}): " +
                $"{string.Join(", ", differences)}. Resume with the same options (only {string.Join(", ", mayChange)} may change), or start a new run.");
    }
}
