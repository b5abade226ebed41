using Rlhf.Torch;
using Rlhf.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlhf.Tests.Training;

/// <summary>A tiny next-token model (embedding -> dropout -> linear) over fixed random sequences of different
/// lengths, so loss-token counts differ between micro-batches, as in real SFT data.</summary>
sealed class ToyStage : ITrainingStage<ToyStage.Batch>
{
    public sealed record Batch(Tensor Inputs, Tensor Targets, Tensor Mask, long Tokens);

    const int Vocabulary = 11, Length = 9, Sequences = 40;
    readonly TrainingOptions options;
    readonly long[][] tokens;
    readonly int[] lengths;
    readonly ToyModel model;

    /// <summary>Makes the loss NaN from this 1-based step on (to test the guard); 0 never.</summary>
    public int PoisonFromStep { get; init; }
    public int StepsSeen { get; private set; }

    public ToyStage(TrainingOptions options, double dropout = 0.1)
    {
        this.options = options;
        Seeding.Seed(options.Seed);
        var data = new Random(7);
        tokens = Enumerable.Range(0, Sequences).Select(_ => Enumerable.Range(0, Length + 1).Select(_ => (long)data.Next(Vocabulary)).ToArray()).ToArray();
        lengths = Enumerable.Range(0, Sequences).Select(_ => 1 + data.Next(Length)).ToArray();
        model = new ToyModel(Vocabulary, 16, dropout);
        model.to(TorchRuntime.Device);
    }

    public nn.Module Model => model;

    public IReadOnlyList<Batch> MicroBatches(int step, int count)
    {
        StepsSeen = step + 1;
        var order = Seeding.Derive(options.Seed, step);
        var chosen = Enumerable.Range(0, options.BatchSize * count).Select(_ => order.Next(Sequences)).ToArray();
        return chosen.Chunk(options.BatchSize).Select(Make).ToList();
    }

    Batch Make(int[] rows)
    {
        var inputs = rows.SelectMany(r => tokens[r][..Length]).ToArray();
        var targets = rows.SelectMany(r => tokens[r][1..]).ToArray();
        var mask = rows.SelectMany(r => Enumerable.Range(0, Length).Select(t => t < lengths[r] ? 1f : 0f)).ToArray();
        var device = TorchRuntime.Device;
        return new Batch(tensor(inputs, [rows.Length, Length], device: device), tensor(targets, [rows.Length, Length], device: device),
            tensor(mask, [rows.Length, Length], device: device), rows.Sum(r => (long)lengths[r]));
    }

    public long CountLossItems(Batch batch) => batch.Tokens;

    public MicroBatchLoss Loss(Batch batch)
    {
        var logits = model.forward(batch.Inputs); // (B, T, V)
        var lossSum = LanguageModelLoss.MaskedCrossEntropySum(logits, batch.Targets, batch.Mask);
        if (PoisonFromStep > 0 && StepsSeen >= PoisonFromStep) lossSum = lossSum * double.NaN;
        var correct = ((logits.argmax(-1) == batch.Targets).to(ScalarType.Float32) * batch.Mask).sum();
        return new MicroBatchLoss(lossSum, new Dictionary<string, Tensor> { ["accuracy"] = correct });
    }

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        var batch = Make(Enumerable.Range(0, 8).ToArray());
        var loss = Loss(batch);
        return new Dictionary<string, double> { ["loss"] = loss.LossSum.item<float>() / batch.Tokens };
    }

    // Like the real stages (Checkpoint.Save), saving replaces the whole folder atomically.
    public void SaveModel(string folder) => Rlhf.Checkpoints.AtomicFile.WriteFolder(folder, temporary => model.save(Path.Combine(temporary, "toy.bin")));
    public void LoadModel(string folder) => model.load(Path.Combine(folder, "toy.bin"));

    public float[] Parameters() => model.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();
    public float[] Gradients() => model.parameters().SelectMany(p => p.grad!.detach().cpu().data<float>().ToArray()).ToArray();

    sealed class ToyModel : nn.Module<Tensor, Tensor>
    {
        readonly TorchSharp.Modules.Embedding embedding;
        readonly TorchSharp.Modules.Dropout dropout;
        readonly TorchSharp.Modules.Linear head;

        public ToyModel(int vocabulary, int width, double dropoutRate) : base("toy")
        {
            embedding = nn.Embedding(vocabulary, width);
            dropout = nn.Dropout(dropoutRate);
            head = nn.Linear(width, vocabulary);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => head.forward(dropout.forward(embedding.forward(input)));
    }
}
