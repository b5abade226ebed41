using System.Globalization;
using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Training;

namespace Rlhf;

/// <summary>
/// Where the course keeps its policies and how each one is made, in one place: the shipped base and SFT checkpoints,
/// the PPO policies notebook 04 trains, the DPO policies notebook 05 trains, and the one extra run notebook 06 adds to
/// the reward-KL frontier. Paths are relative to a repository root (<c>"."</c> for the CLI, <c>".."</c> for a notebook),
/// so <c>rlhf eval</c>'s defaults and the notebooks name the same folders.
/// </summary>
public static class CoursePolicies
{
    /// <summary>The shipped pretrained (base) checkpoint.</summary>
    public const string BaseFolder = "data/checkpoints/base";

    /// <summary>The shipped SFT checkpoint: the reference of PPO, DPO, the KL and the win rates.</summary>
    public const string SftFolder = "data/checkpoints/sft";

    /// <summary>The shipped reward model.</summary>
    public const string RewardFolder = "data/checkpoints/rm";

    /// <summary>The TinyWorld data folder.</summary>
    public const string DataFolder = "data/tinyworld";

    /// <summary>The comparisons the course's reward model and DPO train on: the world's own (<c>preferences_pairwise.jsonl</c>),
    /// then comparisons of the shipped SFT model's samples labelled by the world's annotator (<c>rlhf pairs</c>; InstructGPT's
    /// labellers compared model outputs). Beside it, <c>..._metrics.json</c> has the counts.</summary>
    public const string PairsFile = "data/comparisons/preferences_with_sft_samples.jsonl";

    /// <summary>Notebook 04's PPO policy (default kl_coef).</summary>
    public const string PpoFolder = "out/04-ppo";

    /// <summary>Notebook 04's PPO policy without either anchor (kl_coef = 0, ptx.coef = 0).</summary>
    public const string PpoNoKlFolder = "out/04-ppo-kl0";

    /// <summary>Notebook 05's DPO policy (default beta).</summary>
    public const string DpoFolder = "out/05-dpo";

    /// <summary>Notebook 08's main GRPO policy: verifiable rewards on the checkable prompts (RLVR).</summary>
    public const string GrpoFolder = "out/08-grpo";

    /// <summary>Notebook 08's GRPO policy trained on the reward model, on the same prompts.</summary>
    public const string GrpoRewardModelFolder = "out/08-grpo-rm";

    /// <summary>Notebook 08's RLOO policy (verifiable rewards, the same prompts).</summary>
    public const string RlooFolder = "out/08-rloo";

    /// <summary>The task families notebook 08 trains on: those whose answers a program can check.</summary>
    public static IReadOnlyList<World.TaskKind> CheckableKinds { get; } = [World.TaskKind.Arithmetic, World.TaskKind.CountLetter, World.TaskKind.ReverseWord];

    /// <summary>The KL coefficient of the extra PPO run notebook 06 trains for the frontier: TRL's default 0.05,
    /// a sixth of the course's 0.3, a point between notebook 04's default run and its run without the KL penalty.</summary>
    public const double FrontierExtraKlCoef = 0.05;

    /// <summary>Notebook 05's short beta-comparison run at <paramref name="beta"/>, e.g. <c>out/05-dpo-beta-0.1</c>.</summary>
    public static string DpoBetaFolder(double beta) => $"out/05-dpo-beta-{Number(beta)}";

    /// <summary>Notebook 06's extra PPO run at <paramref name="klCoef"/>, e.g. <c>out/06-ppo-kl0.05</c>.</summary>
    public static string PpoKlFolder(double klCoef) => $"out/06-ppo-kl{Number(klCoef)}";

    /// <summary>The betas of notebook 05's comparison: 0.03, 0.1 and 0.5 in a full run, 0.1 alone in a smoke run.</summary>
    public static IReadOnlyList<double> DpoBetas => CourseRun.Pick<double[]>(full: [0.03, 0.1, 0.5], smoke: [0.1]);

    /// <summary>Notebook 04's PPO options: <see cref="PpoOptions.Course"/> from the shipped SFT and reward checkpoints into
    /// <see cref="PpoFolder"/>.</summary>
    public static PpoOptions Ppo(string root) => PpoOptions.Course with
    {
        DataFolder = Path.Combine(root, DataFolder), InputCheckpoint = Path.Combine(root, SftFolder),
        RewardCheckpoint = Path.Combine(root, RewardFolder), OutputFolder = Path.Combine(root, PpoFolder),
    };

    /// <summary>Notebook 04's second run: <see cref="Ppo"/> without the KL penalty (kl_coef = 0; the ptx mix off, as by
    /// default) for half as many iterations (the notebook stays under 3 minutes), into <see cref="PpoNoKlFolder"/>.</summary>
    public static PpoOptions PpoNoKl(string root) => Shortened(Ppo(root), 2) with { KlCoef = 0, OutputFolder = Path.Combine(root, PpoNoKlFolder) };

    /// <summary><paramref name="ppo"/> for 1/<paramref name="divisor"/> of its iterations: the course's side runs, which only
    /// need to show a trend (the notebooks stay under 3 minutes).</summary>
    static PpoOptions Shortened(PpoOptions ppo, int divisor) =>
        ppo with { Training = ppo.Training with { MaxSteps = Math.Max(1, ppo.Iterations / divisor) } };

    /// <summary>Notebook 06's extra frontier run: <see cref="Ppo"/> (plain PPO, ptx.coef = 0) with kl_coef =
    /// <see cref="FrontierExtraKlCoef"/>, for a third of <see cref="Ppo"/>'s iterations (the notebook stays short).</summary>
    public static PpoOptions PpoFrontierExtra(string root) =>
        Shortened(Ppo(root), 3) with { KlCoef = FrontierExtraKlCoef, OutputFolder = Path.Combine(root, PpoKlFolder(FrontierExtraKlCoef)) };

    /// <summary>Notebook 08's GRPO options: <see cref="GrpoOptions.Course"/> with verifiable rewards on the checkable
    /// prompts (<see cref="CheckableKinds"/>) into <see cref="GrpoFolder"/>.</summary>
    public static GrpoOptions Grpo(string root) => GrpoOptions.Course with
    {
        DataFolder = Path.Combine(root, DataFolder), InputCheckpoint = Path.Combine(root, SftFolder),
        RewardCheckpoint = Path.Combine(root, RewardFolder), OutputFolder = Path.Combine(root, GrpoFolder),
        RewardFuncs = ["verifiable"], PromptKinds = CheckableKinds,
    };

    /// <summary>Notebook 08's second GRPO run: <see cref="Grpo"/> on the same prompts with the reward model's score instead,
    /// into <see cref="GrpoRewardModelFolder"/>.</summary>
    public static GrpoOptions GrpoRewardModel(string root) =>
        Grpo(root) with { RewardFuncs = ["reward_model"], OutputFolder = Path.Combine(root, GrpoRewardModelFolder) };

    /// <summary>Notebook 08's RLOO options: <see cref="RlooOptions.Course"/> with <see cref="Grpo"/>'s rewards and prompts into
    /// <see cref="RlooFolder"/>.</summary>
    public static RlooOptions Rloo(string root) => RlooOptions.Course with
    {
        DataFolder = Path.Combine(root, DataFolder), InputCheckpoint = Path.Combine(root, SftFolder),
        RewardCheckpoint = Path.Combine(root, RewardFolder), OutputFolder = Path.Combine(root, RlooFolder),
        RewardFuncs = ["verifiable"], PromptKinds = CheckableKinds,
    };

    /// <summary>Notebook 05's DPO options: <see cref="DpoOptions.Course"/> from the shipped SFT checkpoint on <see cref="PairsFile"/>
    /// into <see cref="DpoFolder"/>.</summary>
    public static DpoOptions Dpo(string root) => DpoOptions.Course with
    {
        DataFolder = Path.Combine(root, DataFolder), InputCheckpoint = Path.Combine(root, SftFolder), OutputFolder = Path.Combine(root, DpoFolder),
        TrainFile = Path.Combine(root, PairsFile),
    };

    /// <summary>Notebook 03's reward model: <see cref="RewardModelOptions.Course"/> from the shipped SFT checkpoint on
    /// <see cref="PairsFile"/> into <paramref name="outputFolder"/> (the shipped <see cref="RewardFolder"/> was trained so).</summary>
    public static RewardModelOptions RewardModel(string root, string outputFolder) => RewardModelOptions.Course with
    {
        DataFolder = Path.Combine(root, DataFolder), InitFrom = Path.Combine(root, SftFolder), OutputFolder = outputFolder,
        TrainFile = Path.Combine(root, PairsFile),
    };

    /// <summary>
    /// One short run of notebook 05's beta comparison: <paramref name="main"/> with <paramref name="beta"/>, 40 steps on 320
    /// pairs (2 steps on 16 in a smoke run), no gold evaluation during training, into <c>05-dpo-beta-{beta}</c> beside
    /// <paramref name="main"/>'s output folder (so <see cref="DpoBetaFolder"/> when main writes <see cref="DpoFolder"/>).
    /// </summary>
    public static DpoOptions DpoBeta(DpoOptions main, double beta)
    {
        ArgumentNullException.ThrowIfNull(main);
        var parent = Path.GetDirectoryName(main.OutputFolder.TrimEnd('/', '\\')) ?? "";
        return main with
        {
            Beta = beta, GoldPromptsPerKind = 0, OutputFolder = Path.Combine(parent, Path.GetFileName(DpoBetaFolder(beta))),
            MaxTrainPairs = CourseRun.Pick(full: 320, smoke: 16), EvalPairs = CourseRun.Pick(full: 120, smoke: 16),
            Training = main.Training with { MaxSteps = CourseRun.Pick(full: 40, smoke: 2), EvalEvery = 0 },
        };
    }

    /// <summary>The four policies the course compares (base, sft, ppo, dpo), each with the command that creates its folder.</summary>
    public static IReadOnlyList<NamedPolicy> Compared(string root) =>
    [
        new("base", Path.Combine(root, BaseFolder), "git checkout data/checkpoints/base (shipped with the repository)"),
        new("sft", Path.Combine(root, SftFolder), "git checkout data/checkpoints/sft (shipped with the repository)"),
        new("ppo", Path.Combine(root, PpoFolder), "dotnet run --project lib/Rlhf.Cli -- notebook run notebooks/04-ppo.ipynb (or the whole course: -- course)"),
        new("dpo", Path.Combine(root, DpoFolder), "dotnet run --project lib/Rlhf.Cli -- notebook run notebooks/05-dpo.ipynb (or the whole course: -- course)"),
    ];

    /// <summary>
    /// Trains, with exactly notebook 04's and 05's options, every policy of those notebooks whose folder under
    /// <paramref name="root"/> holds no current checkpoint (<see cref="IsCurrent"/>): the two PPO runs, the DPO run and
    /// the beta comparison. Lets notebook 06
    /// run on its own (full sizes take minutes; smoke sizes seconds). Returns the folders it trained, in order.
    /// </summary>
    public static IReadOnlyList<string> TrainMissing(string root, IEnumerable<ITrainingObserver>? observers = null)
    {
        var trained = new List<string>();
        var observerList = observers?.ToList() ?? [];
        foreach (var ppo in new[] { Ppo(root), PpoNoKl(root) })
            if (!IsCurrent(ppo.OutputFolder!, root))
            {
                PpoTraining.Run(ppo, observerList);
                trained.Add(ppo.OutputFolder!);
            }
        var dpo = Dpo(root);
        foreach (var options in new[] { dpo }.Concat(DpoBetas.Select(b => DpoBeta(dpo, b))))
            if (!IsCurrent(options.OutputFolder, root))
            {
                using var run = DpoTraining.Run(options, observerList);
                trained.Add(options.OutputFolder);
            }
        return trained;
    }

    /// <summary>
    /// True when <paramref name="folder"/> holds a checkpoint trained from the SFT checkpoint now under <paramref name="root"/>:
    /// it exists, has the SFT model's vocabulary, and its weights are not older than the SFT weights. A policy left in
    /// <c>out/</c> by an earlier version of the course (an older tokenizer or SFT model) is not current and is retrained.
    /// </summary>
    public static bool IsCurrent(string folder, string root)
    {
        if (!HasCheckpoint(folder)) return false;
        string sft = Path.Combine(root, SftFolder);
        if (Checkpoint.ReadConfig(folder).VocabularySize != Checkpoint.ReadConfig(sft).VocabularySize) return false;
        return File.GetLastWriteTimeUtc(Path.Combine(folder, Checkpoint.WeightsFile)) >= File.GetLastWriteTimeUtc(Path.Combine(sft, Checkpoint.WeightsFile));
    }

    /// <summary>True when <paramref name="folder"/> holds a model checkpoint (config.json and model.safetensors).</summary>
    public static bool HasCheckpoint(string folder) =>
        File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)) && File.Exists(Path.Combine(folder, Checkpoint.WeightsFile));

    /// <summary>A setting as folder names and labels write it: invariant culture, shortest round-trip form.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
