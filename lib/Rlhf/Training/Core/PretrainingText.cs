using Rlhf.Data;
using Rlhf.Models;
using Rlhf.Text;
using static TorchSharp.torch;

namespace Rlhf.Training;

/// <summary>
/// Pretraining text inside a later stage, for two things: the pretraining mix (PPO-ptx, Ouyang et al. 2022, eq. 2:
/// gamma * E_pretrain[log pi(x)] added to the objective, so the model keeps modelling the pretraining distribution; SFT
/// uses the same term) reads windows of the training stream, and the forgetting measurement reads the held-out stream,
/// split exactly as stage 0 splits the corpus (the last documents), so no measured token was trained on.
/// </summary>
public sealed class PretrainingText
{
    /// <summary>Wraps already split token streams.</summary>
    public PretrainingText(PretrainData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
    }

    /// <summary>The training and held-out token streams.</summary>
    public PretrainData Data { get; }

    /// <summary>Reads the jsonl corpus at <paramref name="corpusPath"/> and tokenises it with <paramref name="tokenizer"/>,
    /// holding out the last <paramref name="evalFraction"/> of the documents (stage 0's split for the same fraction).</summary>
    public static PretrainingText Load(string corpusPath, TextTokenizer tokenizer, double evalFraction)
    {
        if (!File.Exists(corpusPath)) throw new FileNotFoundException($"pretraining corpus {corpusPath} does not exist (the pretraining mix (ptx) and the forgetting metric read it)", corpusPath);
        return new PretrainingText(PretrainData.FromText(TextCorpus.Load(corpusPath).Records, tokenizer, evalFraction));
    }

    /// <summary>
    /// <paramref name="count"/> windows of <paramref name="length"/> input tokens (and their next-token targets) from the
    /// training stream at random starts, a pure function of (<paramref name="seed"/>, <paramref name="step"/>):
    /// inputs and targets (count, length) each.
    /// </summary>
    public (Tensor Inputs, Tensor Targets) TrainingWindows(long seed, int step, int count, int length, Device device)
    {
        var starts = PretrainData.WindowStarts(seed, step, count, Data.TrainTokens.Length, length + 1);
        return Windows(Data.TrainTokens, starts, length, device);
    }

    /// <summary>Mean next-token loss per token of <paramref name="model"/> (nats) on up to <paramref name="windows"/>
    /// consecutive held-out windows of <paramref name="length"/> tokens, scored <paramref name="batchSize"/> windows at a
    /// time without gradients: the forgetting measure (it rises as the policy drifts from language modelling).</summary>
    public double HeldOutLoss(Gpt model, int windows, int length, int batchSize = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (length > model.ContextLength) throw new ArgumentException($"window length {length} exceeds the model's context length {model.ContextLength}", nameof(length));
        var starts = PretrainData.EvalWindowStarts(Data.EvalTokens.Length, length, windows);
        double sum = 0;
        long tokens = 0;
        using var noGrad = no_grad();
        foreach (var chunk in starts.Chunk(batchSize))
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = Windows(Data.EvalTokens, chunk, length, model.Device);
            sum += MeanTokenLoss(model, inputs, targets).item<float>() * targets.numel();
            tokens += targets.numel();
        }
        return sum / tokens;
    }

    /// <summary>
    /// -mean over tokens of log pi(target | prefix) for inputs and targets (B, T): the negated ptx objective of Ouyang et al.
    /// 2022 (eq. 2, gamma * E_{x ~ D_pretrain}[log pi(x)]) per token, at temperature 1 (the pretraining distribution itself).
    /// </summary>
    public static Tensor MeanTokenLoss(Gpt model, Tensor inputs, Tensor targets) => MeanTokenLoss(model.forward(inputs), targets);

    /// <summary>-mean over (b, t) of log softmax(logits[b, t])[targets[b, t]] for logits (B, T, V) and targets (B, T): the
    /// per-token form of the ptx term above, on logits already computed.</summary>
    public static Tensor MeanTokenLoss(Tensor logits, Tensor targets)
    {
        var mask = ones_like(targets, dtype: ScalarType.Float32);                                               // (B, T): every token counts
        return LanguageModelLoss.MaskedCrossEntropySum(logits.to(ScalarType.Float32), targets, mask) / targets.numel(); // ()
    }

    static (Tensor Inputs, Tensor Targets) Windows(int[] stream, IReadOnlyList<int> starts, int length, Device device)
    {
        var inputs = new long[starts.Count * length];
        var targets = new long[starts.Count * length];
        for (int b = 0; b < starts.Count; b++)
        {
            var (x, y) = PretrainData.Window(stream, starts[b], length);
            x.CopyTo(inputs, b * length);
            y.CopyTo(targets, b * length);
        }
        return (tensor(inputs, [starts.Count, length], device: device),   // (B, T)
                tensor(targets, [starts.Count, length], device: device)); // (B, T)
    }
}
