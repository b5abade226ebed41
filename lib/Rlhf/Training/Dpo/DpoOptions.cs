using System.Text.Json.Serialization;

namespace Rlhf.Training;

/// <summary>
/// Everything <see cref="DpoTraining.Run"/> needs: the loss and its strength, the data, the starting checkpoint and
/// the shared optimisation settings. <c>rlhf dpo --set beta=0.2 --set loss=ipo</c> and a notebook's
/// <c>DpoOptions.Course with { Beta = 0.2 }</c> set the same fields (one parameter, one path).
/// </summary>
public sealed record DpoOptions
{
    /// <summary>beta: how strongly the policy is held to the reference (the KL coefficient of the RLHF objective the DPO
    /// loss solves; for IPO the paper's tau). Implicit rewards are beta * (log pi - log pi_ref). Default 0.1.</summary>
    public double Beta { get; init; } = 0.1;

    /// <summary>Which loss: <c>sigmoid</c> (DPO), <c>conservative</c> (cDPO, label smoothing), <c>robust</c> (rDPO), <c>ipo</c>
    /// or <c>simpo</c> (reference-free; set beta near 2). Default sigmoid.</summary>
    public DpoLossKind Loss { get; init; } = DpoLossKind.Sigmoid;

    /// <summary>The assumed probability that a preference label is flipped, in [0, 0.5); used only by
    /// <see cref="DpoLossKind.Conservative"/> and <see cref="DpoLossKind.Robust"/>. Default 0.1.</summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>SimPO's target reward margin gamma: the chosen response's beta-scaled mean log-prob must beat the rejected
    /// one's by this much (Meng et al. 2024, eq. 6); used only by <see cref="DpoLossKind.Simpo"/>. Default 0.5 (TRL's
    /// <c>simpo_gamma</c>).</summary>
    public double SimpoGamma { get; init; } = 0.5;

    /// <summary>Weight of an extra SFT term: the chosen response's mean per-token negative log-likelihood, added to every
    /// pair's loss (keeps the chosen responses likely, as in Pang et al. 2024's DPO+NLL; 0 turns it off). Default 2: on the
    /// shipped models plain DPO lowers the likelihood of chosen and rejected responses alike and ends below SFT on held-out
    /// gold; DPO+NLL ends above it, with weight 2 a little more than with 1 over three seeds (docs/results/05-dpo.md).</summary>
    public double SftWeight { get; init; } = 2.0;

    /// <summary>The objective these options optimise, named as tables, live views and <c>results.json</c> show it:
    /// the loss (<c>DPO</c>, <c>cDPO</c>, <c>rDPO</c>, <c>IPO</c>, <c>SimPO</c>), <c>+ NLL (w)</c> when the SFT term is on, and
    /// <c>+ ptx (c)</c> when the pretraining mix is, e.g. <c>DPO + NLL (2)</c> for the defaults. The paper's pure DPO, as TRL
    /// runs it by default, is <c>--set sft_weight=0</c>.</summary>
    [JsonIgnore]
    public string ObjectiveName
    {
        get
        {
            var name = Loss switch
            {
                DpoLossKind.Sigmoid => "DPO",
                DpoLossKind.Conservative => "cDPO",
                DpoLossKind.Robust => "rDPO",
                DpoLossKind.Ipo => "IPO",
                DpoLossKind.Simpo => "SimPO",
                _ => Loss.ToString(),
            };
            if (SftWeight > 0) name += string.Create(System.Globalization.CultureInfo.InvariantCulture, $" + NLL ({SftWeight:G})");
            if (Ptx.Coef > 0) name += string.Create(System.Globalization.CultureInfo.InvariantCulture, $" + ptx ({Ptx.Coef:G})");
            return name;
        }
    }

    /// <summary>Pretraining mix (the ptx term of Ouyang et al. 2022, eq. 2, here added to DPO's loss as PPO-ptx adds it to
    /// PPO's): windows of <c>corpus.jsonl</c> in <see cref="DataFolder"/> trained on beside the pairs, so preference
    /// optimisation on training entities does not wear away what pretraining taught about the others. Default off (coef 0):
    /// measured on the shipped SFT model (docs/results/05-dpo.md), coef 1 wins 54.2% of held-out prompts against SFT over three
    /// seeds and coef 3 53.5%, against 53.9% without it.</summary>
    public PretrainingMixOptions Ptx { get; init; } = new();

    /// <summary>Compute the reference model's log-probs once for every pair before training (no-grad) and free the
    /// reference model; false keeps it and recomputes them every step. Same numbers either way. Default true.</summary>
    public bool PrecomputeReference { get; init; } = true;

    /// <summary>Folder with the preference files. Default <c>data/tinyworld</c>.</summary>
    public string DataFolder { get; init; } = "data/tinyworld";

    /// <summary>Training pairs in any preference format (<see cref="Format"/>): a bare file name inside <see cref="DataFolder"/>, a path
    /// with a folder in it as given (<see cref="Data.DatasetFile.Resolve"/>). Default <c>preferences_pairwise.jsonl</c>.</summary>
    public string TrainFile { get; init; } = "preferences_pairwise.jsonl";

    /// <summary>Held-out pairs for the evaluation metrics, found as <see cref="TrainFile"/> is. Default <c>eval_preferences_pairwise.jsonl</c>.</summary>
    public string EvalFile { get; init; } = "eval_preferences_pairwise.jsonl";

    /// <summary>The format of <see cref="TrainFile"/> and <see cref="EvalFile"/>: <c>auto</c> (default) tells it from the content
    /// (parquet by its magic bytes, jsonl by the fields of its first record); or <c>pairwise</c>, <c>ranked</c> (every two ranks
    /// give a pair), <c>hh_rlhf</c>, <c>chat_messages</c>, <c>parquet</c> (<see cref="Data.DatasetFile"/>).</summary>
    public Data.DatasetFormat Format { get; init; } = Data.DatasetFormat.Auto;

    /// <summary>Use N training pairs spread evenly over <see cref="TrainFile"/> (0 = all): the reference log-probs are
    /// precomputed for exactly the pairs used. Default 3,200, one pass at the default 400 steps of 8 pairs.</summary>
    public int MaxTrainPairs { get; init; } = 3200;

    /// <summary>Held-out pairs evaluated, spread evenly over <see cref="EvalFile"/> (0 = all 1,200). Default 240.</summary>
    public int EvalPairs { get; init; } = 240;

    /// <summary>Held-out prompts per task kind (the first ones of <c>eval_prompts.txt</c> in <see cref="DataFolder"/>) whose greedy
    /// answers the gold judge scores at every evaluation (0 = no gold evaluation during training). Default 4 (28 prompts).</summary>
    public int GoldPromptsPerKind { get; init; } = 4;

    /// <summary>The starting checkpoint: policy and reference both begin as its weights. Default <c>data/checkpoints/sft</c>.</summary>
    public string InputCheckpoint { get; init; } = "data/checkpoints/sft";

    /// <summary>Where the trained policy and the run's history are written. Default <c>out/dpo</c>.</summary>
    public string OutputFolder { get; init; } = "out/dpo";

    /// <summary>A trainer checkpoint folder (<c>OUTPUT/checkpoints/step-N</c>) to continue from; null starts fresh. Default null.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Optimisation settings; see <see cref="DefaultTraining"/>.</summary>
    public TrainingOptions Training { get; init; } = DefaultTraining;

    /// <summary>DPO's optimiser defaults for the course model: 400 steps of 8 pairs (docs/results/10-rlhf-effect.md,
    /// experiment 19: about 90 s on 2 cores), a small learning rate (the policy starts good and should move only a little),
    /// no weight decay (it would pull the weights towards zero, not towards the reference).</summary>
    public static TrainingOptions DefaultTraining { get; } = new()
    {
        MaxSteps = 400, BatchSize = 8, LearningRate = 1e-4, WarmupSteps = 10, WeightDecay = 0.0, EvalEvery = 25,
    };

    /// <summary>The course preset: the defaults in a full run, with the held-out evaluation every 50 steps instead of 25
    /// (evaluation does not change the policy: <c>rlhf dpo</c> at every 100 steps wrote the same weights as at 25, 15 s
    /// sooner on 2 cores); a handful of steps on a small slice in a smoke run.</summary>
    public static DpoOptions Course => CourseRun.Pick(
        new DpoOptions { Training = DefaultTraining with { EvalEvery = 50 } },
        new DpoOptions
        {
            MaxTrainPairs = 32, EvalPairs = 16, GoldPromptsPerKind = 0,
            Training = DefaultTraining with { MaxSteps = 4, BatchSize = 8, WarmupSteps = 1, EvalEvery = 0 },
        });

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public DpoOptions Validate()
    {
        Training.Validate();
        Require(Beta > 0 && double.IsFinite(Beta), nameof(Beta), "must be a positive number");
        Require(Enum.IsDefined(Loss), nameof(Loss), $"must be one of {string.Join(", ", Enum.GetNames<DpoLossKind>().Select(OptionsBinder.JsonName))}");
        Require(LabelSmoothing is >= 0 and < 0.5, nameof(LabelSmoothing), "must be in [0, 0.5)");
        Require(SftWeight >= 0 && double.IsFinite(SftWeight), nameof(SftWeight), "must be 0 or more");
        Require(SimpoGamma >= 0 && double.IsFinite(SimpoGamma), nameof(SimpoGamma), "must be 0 or more");
        ArgumentNullException.ThrowIfNull(Ptx, nameof(Ptx));
        Ptx.Validate("dpo");
        Require(!string.IsNullOrWhiteSpace(DataFolder), nameof(DataFolder), "must name a folder");
        Require(!string.IsNullOrWhiteSpace(TrainFile), nameof(TrainFile), "must name a file");
        Require(!string.IsNullOrWhiteSpace(EvalFile), nameof(EvalFile), "must name a file");
        Require(MaxTrainPairs >= 0, nameof(MaxTrainPairs), "must be 0 (all) or more");
        Require(EvalPairs >= 0, nameof(EvalPairs), "must be 0 (all) or more");
        Require(GoldPromptsPerKind >= 0, nameof(GoldPromptsPerKind), "must be 0 (none) or more");
        Require(!string.IsNullOrWhiteSpace(InputCheckpoint), nameof(InputCheckpoint), "must name a checkpoint folder");
        Require(!string.IsNullOrWhiteSpace(OutputFolder), nameof(OutputFolder), "must name a folder");
        return this;
    }

    static void Require(bool condition, string field, string message)
    {
        if (!condition) throw new ArgumentException($"dpo option '{OptionsBinder.JsonName(field)}' {message}.");
    }
}
