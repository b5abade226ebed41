using System.Diagnostics;
using Rlhf.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Models;

/// <summary>What <see cref="ModelSpeed.MeasureTrainingStep"/> measured.</summary>
/// <param name="Config">The model shape measured.</param>
/// <param name="ParameterCount">Trainable parameters of that shape.</param>
/// <param name="BatchSize">Sequences per step (B).</param>
/// <param name="SequenceLength">Tokens per sequence (T).</param>
/// <param name="Steps">Timed steps (after the warm-up).</param>
/// <param name="MillisecondsPerStep">Mean wall-clock time of one forward + backward + AdamW step.</param>
/// <param name="Device">Where it ran, with the CPU thread count.</param>
public sealed record ModelSpeedReport(
    GptConfig Config, long ParameterCount, int BatchSize, int SequenceLength, int Steps, double MillisecondsPerStep, string Device)
{
    /// <summary>Training tokens processed per second (B · T / step time).</summary>
    public double TokensPerSecond => BatchSize * SequenceLength / (MillisecondsPerStep / 1000.0);
}

/// <summary>Times a training step of a <see cref="Gpt"/>, to choose a model size that fits a time budget.</summary>
public static class ModelSpeed
{
    /// <summary>
    /// Builds a freshly initialised model of <paramref name="config"/> and times <paramref name="steps"/> steps of
    /// next-token cross-entropy on random tokens (forward, backward, AdamW update), after
    /// <paramref name="warmupSteps"/> untimed ones.
    /// </summary>
    public static ModelSpeedReport MeasureTrainingStep(GptConfig config, int batchSize, int sequenceLength, int steps, int warmupSteps = 1)
    {
        config.Validate();
        if (sequenceLength < 2 || sequenceLength > config.ContextLength)
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, $"must be in [2, {config.ContextLength}] (the context length)");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "must be at least 1");
        var device = TorchRuntime.Device;
        using var model = new Gpt(config, device);
        model.train();
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-4);
        using var tokens = randint(0, config.VocabularySize, [batchSize, sequenceLength], dtype: ScalarType.Int64, device: device); // (B, T)

        void Step()
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(tokens.narrow(1, 0, sequenceLength - 1)); // (B, T-1, V)
            var targets = tokens.narrow(1, 1, sequenceLength - 1); // (B, T-1)
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabularySize), targets.reshape(-1));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
            if (device.type == DeviceType.CUDA) cuda.synchronize(device);
        }

        for (int i = 0; i < warmupSteps; i++) Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        var where = device.type == DeviceType.CUDA ? device.ToString() : $"cpu, {get_num_threads()} threads";
        return new ModelSpeedReport(config, config.ParameterCount(), batchSize, sequenceLength, steps, clock.Elapsed.TotalMilliseconds / steps, where);
    }
}
