using Rlhf.World;

namespace Rlhf.Study;

/// <summary>
/// One experiment of <c>rlhf study</c>: a world, overrides for each stage, the seeds to run, and which stages.
/// Every stage starts from the course's full-size defaults (or, with <see cref="Smoke"/>, the tiny sizes of
/// <see cref="StudyRunner.SmokeOverrides"/>), then <see cref="Overrides"/> apply.
/// </summary>
public sealed record StudyOptions
{
    /// <summary>The stages a study can run, in order.</summary>
    public static IReadOnlyList<string> AllStages { get; } = ["sft", "rm", "ppo", "dpo", "eval"];

    /// <summary>Where everything goes: <c>cache/</c> (one folder per stage and input hash), <c>study.json</c>, <c>study.md</c>.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>The world's options (<c>--world key=value</c> over <see cref="TinyWorldOptions"/>' defaults).</summary>
    public TinyWorldOptions World { get; init; } = new();

    /// <summary>Stage -> <c>key=value</c> overrides of its options record (<c>--set sft.training.max_steps=200</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Overrides { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The training seeds (each stage's <c>training.seed</c>); the world keeps its own seed. Default 1234.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [1234];

    /// <summary>The stages to run (a stage's inputs are trained too when missing). Default all.</summary>
    public IReadOnlyList<string> Stages { get; init; } = AllStages;

    /// <summary>Tiny sizes everywhere (tests, a quick check of a recipe).</summary>
    public bool Smoke { get; init; }

    /// <summary>The base model to start SFT from while the world's corpus is the shipped one (else the base is pretrained).</summary>
    public string ShippedBase { get; init; } = "data/checkpoints/base";

    /// <summary>The shipped world, whose corpus decides whether <see cref="ShippedBase"/> can be reused.</summary>
    public string ShippedWorld { get; init; } = "data/tinyworld";

    /// <summary>Samples per prompt of the headroom table (<see cref="Evaluation.Headroom"/>) in the evaluation stage; 0 skips it.</summary>
    public int HeadroomSamples { get; init; } = 8;

    /// <summary>Samples per prompt of the SFT policy on the world's preference prompts, compared pairwise by the world's annotator
    /// and added to its comparisons for the reward model and DPO (<see cref="OnPolicyComparisons"/>); 0 (default) adds none.</summary>
    public int OnPolicySamples { get; init; }

    /// <summary>Throws naming the first unknown stage or empty list.</summary>
    public StudyOptions Validate()
    {
        if (Seeds.Count == 0) throw new ArgumentException("study: --seeds needs at least one seed");
        if (Stages.Count == 0) throw new ArgumentException("study: --stages needs at least one stage");
        foreach (var stage in Stages.Concat(Overrides.Keys))
            if (!AllStages.Contains(stage)) throw new ArgumentException($"study: unknown stage '{stage}' (stages: {string.Join(", ", AllStages)})");
        if (OnPolicySamples is < 0 or 1) throw new ArgumentException("study: on-policy samples must be 0 (off) or at least 2");
        if (HeadroomSamples < 0) throw new ArgumentException("study: headroom samples must be 0 (off) or more");
        World.Validate();
        return this;
    }
}
