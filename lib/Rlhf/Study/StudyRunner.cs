using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Evaluation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Training;
using Rlhf.World;

namespace Rlhf.Study;

/// <summary>One stage of one seed: where it lives, whether the cache had it, how long it took when it ran, what it measured.</summary>
public sealed record StageRun(string Stage, long? Seed, string Folder, bool Cached, double Seconds, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// <c>rlhf study</c>: world -> base (reused while the corpus is the shipped one) -> per seed SFT -> reward model -> PPO and DPO
/// -> evaluation. Every stage is cached under <c>OUT/cache/STAGE-HASH</c>, HASH being a digest of its options with the folders
/// of its inputs (themselves named by their hashes), so a re-run after a change trains only what the change touches, and a
/// study killed half-way resumes at the stage it was in (a folder without <c>done.json</c> is trained again).
/// </summary>
public static class StudyRunner
{
    /// <summary>The marker a finished stage folder holds: stage, key, seconds and metrics.</summary>
    public const string DoneFile = "done.json";

    /// <summary>The tiny sizes of <c>--smoke</c>, applied before the study's own overrides.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> SmokeOverrides { get; } = new Dictionary<string, IReadOnlyList<string>>
    {
        ["base"] = ["training.max_steps=4", "eval_windows=4", "training.eval_every=0", "training.checkpoint_every=0"],
        ["sft"] = ["training.max_steps=4", "training.eval_every=0", "eval_examples=16", "evaluate_input_model=false", "evaluation.max_prompts_per_kind=1", "evaluation.generation.max_new_tokens=8"],
        ["rm"] = ["training.max_steps=4", "training.eval_every=0", "eval_pairs=16", "train_eval_pairs=0", "normalization_prompts=8", "normalization_max_new_tokens=8"],
        ["ppo"] = ["max_steps=2", "rollout_batch_size=4", "ppo_epochs=1", "response_length=12"],
        ["dpo"] = ["training.max_steps=4", "training.batch_size=8", "training.eval_every=0", "max_train_pairs=32", "eval_pairs=16", "gold_prompts_per_kind=0"],
    };

    /// <summary>Runs the study, reporting each stage's start to <paramref name="progress"/>; returns every stage run.</summary>
    public static IReadOnlyList<StageRun> Run(StudyOptions options, Action<string>? progress = null)
    {
        options.Validate();
        Torch.TorchRuntime.Init();
        var say = progress ?? (_ => { });
        var cache = Path.Combine(options.OutputFolder, "cache");
        Directory.CreateDirectory(cache);
        var runs = new List<StageRun>();

        CheckOverrides(options);

        var world = Cached(cache, "world", null, OptionsBinder.ToJson(options.World), folder =>
            TinyWorldWriter.Write(TinyWorldGenerator.Generate(options.World), folder, new BpeTrainerOptions(),
                OptionsChanges.Assignments(new TinyWorldOptions { Seed = options.World.Seed, Language = options.World.Language }, options.World)), say, runs, NoMetrics);
        string basePolicy = options.ShippedBase;
        if (!SameFile(Path.Combine(world, TinyWorldWriter.CorpusFile), Path.Combine(options.ShippedWorld, TinyWorldWriter.CorpusFile)))
        {
            // Keyed by what pretraining reads (the corpus and its tokenizer), not by the world's folder: worlds that differ only
            // in their demonstrations, comparisons or prompts share one base model.
            var pretrain = Bind(options, "base", new PretrainOptions()) with { DataFolder = world };
            basePolicy = Cached(cache, "base", null, Key(pretrain with { OutputFolder = "", DataFolder = "" }) + "\ncorpus " + CorpusDigest(world),
                folder => PretrainTraining.Run(pretrain with { OutputFolder = folder }), say, runs, NoMetrics);
        }

        foreach (long seed in options.Seeds)
        {
            bool Wants(string stage) => options.Stages.Contains(stage) || (stage is "sft" && options.Stages.Any(s => s != "sft"))
                || (stage is "rm" && options.Stages.Any(s => s is "ppo" or "eval"));
            if (!Wants("sft")) continue;
            var sftOptions = Sft(options, world, basePolicy, seed);
            var sft = Cached(cache, "sft", seed, Key(sftOptions with { OutputFolder = "" }), folder => SftTraining.Run(sftOptions with { OutputFolder = folder }), say, runs, NoMetrics);
            string? rm = null, ppo = null, dpo = null, pairs = null;
            if (options.OnPolicySamples > 0 && (Wants("rm") || options.Stages.Contains("dpo")))
                pairs = Path.Combine(Cached(cache, "pairs", seed, $"{sft}\n{options.OnPolicySamples}\n{OptionsBinder.ToJson(options.World.Annotator)}",
                    folder => WriteOnPolicyPairs(options, world, sft, seed, folder), say, runs, f => ReadNumbers(Path.Combine(f, "pairs_metrics.json"))), "pairs.jsonl");
            if (Wants("rm"))
            {
                var rmOptions = Rm(options, world, sft, seed, pairs);
                rm = Cached(cache, "rm", seed, Key(rmOptions with { OutputFolder = "" }), folder =>
                {
                    var result = RewardModelTraining.Run(rmOptions with { OutputFolder = folder });
                    File.WriteAllText(Path.Combine(folder, "rm_metrics.json"), new JsonObject
                    {
                        ["accuracy"] = result.HeldOut.Accuracy, ["gold_accuracy"] = result.HeldOut.GoldAccuracy,
                    }.ToJsonString());
                }, say, runs, folder => ReadNumbers(Path.Combine(folder, "rm_metrics.json")));
            }
            if (options.Stages.Contains("ppo") && rm is not null)
            {
                var ppoOptions = Ppo(options, world, sft, rm, seed);
                ppo = Cached(cache, "ppo", seed, Key(ppoOptions with { OutputFolder = "" }), folder => PpoTraining.Run(ppoOptions with { OutputFolder = folder }), say, runs, NoMetrics);
            }
            if (options.Stages.Contains("dpo"))
            {
                var dpoOptions = Dpo(options, world, sft, seed, pairs);
                dpo = Cached(cache, "dpo", seed, Key(dpoOptions with { OutputFolder = "" }), folder => { using var _ = DpoTraining.Run(dpoOptions with { OutputFolder = folder }); }, say, runs, NoMetrics);
            }
            if (options.Stages.Contains("eval"))
            {
                var policies = new List<NamedPolicy> { new("base", basePolicy), new("sft", sft) };
                if (ppo is not null) policies.Add(new("ppo", ppo));
                if (dpo is not null) policies.Add(new("dpo", dpo));
                string prompts = Path.Combine(world, "eval_prompts.txt");
                int perKind = options.Smoke ? 2 : 0;
                var evaluation = new PolicySetOptions
                {
                    Policies = policies, RewardCheckpoint = rm,
                    Greedy = PolicyEvaluationOptions.Greedy with { PromptsFile = prompts, MaxPromptsPerKind = perKind },
                    TemperatureOne = PolicyEvaluationOptions.TemperatureOne with { PromptsFile = prompts, MaxPromptsPerKind = perKind },
                };
                int headroomSamples = options.Smoke ? Math.Min(2, options.HeadroomSamples) : options.HeadroomSamples;
                // "wins_by_kind" in the key: folders evaluated before wins_by_kind.json existed are evaluated again.
                Cached(cache, "eval", seed, Key(evaluation) + headroomSamples + "\nwins_by_kind", folder =>
                {
                    Directory.CreateDirectory(folder);
                    var result = PolicySetEvaluation.Run(evaluation, name => say($"eval seed {seed}: {name}"));
                    File.WriteAllText(Path.Combine(folder, "eval.json"), PolicySetEvaluation.Format(result.ToJson()));
                    File.WriteAllText(Path.Combine(folder, StudyReport.WinsByKindFile), StudyReport.WinsByKindJson(result).ToJsonString());
                    if (headroomSamples == 0 || rm is null) return;
                    using var policy = Checkpoint.LoadGpt(sft);
                    using var rewardModel = RewardModel.Load(rm);
                    var rows = Headroom.Measure(policy, TextTokenizer.Load(sft), rewardModel, evaluation.Greedy, headroomSamples);
                    File.WriteAllText(Path.Combine(folder, "headroom.json"), JsonSerializer.Serialize(rows, OptionsBinder.Json));
                }, say, runs, NoMetrics);
            }
        }
        return runs;
    }

    /// <summary>Binds every stage's options once, so a bad <c>--set</c> key or value is named before anything trains.</summary>
    public static void CheckOverrides(StudyOptions options)
    {
        foreach (var seed in options.Seeds)
            _ = (Sft(options, "w", "b", seed).Validate(), Rm(options, "w", "s", seed), Ppo(options, "w", "s", "r", seed).Validate(), Dpo(options, "w", "s", seed),
                Bind(options, "base", new PretrainOptions()));
    }

    static SftOptions Sft(StudyOptions o, string world, string basePolicy, long seed)
    {
        var bound = Bind(o, "sft", new SftOptions());
        return bound with
        {
            DataFolder = world, InputCheckpoint = basePolicy, Training = bound.Training with { Seed = seed },
            Evaluation = bound.Evaluation with { PromptsFile = Path.Combine(world, "eval_prompts.txt") },
        };
    }

    static RewardModelOptions Rm(StudyOptions o, string world, string sft, long seed, string? pairs = null)
    {
        var bound = Bind(o, "rm", new RewardModelOptions());
        return bound with { DataFolder = world, InitFrom = sft, TrainFile = pairs ?? bound.TrainFile, Training = bound.Training with { Seed = seed } };
    }

    static PpoOptions Ppo(StudyOptions o, string world, string sft, string rm, long seed)
    {
        var bound = Bind(o, "ppo", new PpoOptions());
        return bound with { DataFolder = world, InputCheckpoint = sft, RewardCheckpoint = rm, Training = bound.Training with { Seed = seed } };
    }

    static DpoOptions Dpo(StudyOptions o, string world, string sft, long seed, string? pairs = null)
    {
        var bound = Bind(o, "dpo", new DpoOptions());
        return bound with { DataFolder = world, InputCheckpoint = sft, TrainFile = pairs ?? bound.TrainFile, Training = bound.Training with { Seed = seed } };
    }

    /// <summary>The world's comparisons followed by the SFT policy's own samples compared by the world's annotator (<c>pairs.jsonl</c>).</summary>
    static void WriteOnPolicyPairs(StudyOptions options, string world, string sft, long seed, string folder) =>
        OnPolicyComparisons.WriteFile(sft, world, options.OnPolicySamples, 1.0, options.World.Annotator, options.World.Seed ^ (ulong)seed,
            Path.Combine(folder, "pairs.jsonl"), Path.Combine(folder, "pairs_metrics.json"), options.Smoke ? 8 : 48, options.Smoke ? 16 : 0);

    /// <summary>The stage's defaults, then the smoke sizes (when asked), then the study's overrides; a bad key names the stage.</summary>
    static T Bind<T>(StudyOptions o, string stage, T defaults) where T : class
    {
        var overrides = (o.Smoke && SmokeOverrides.TryGetValue(stage, out var smoke) ? smoke : []).Concat(o.Overrides.GetValueOrDefault(stage) ?? []);
        try
        {
            return OptionsBinder.Bind(defaults, null, overrides);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--set {stage}.{e.Message.Replace("--set ", "")}", e);
        }
    }

    static string Key<T>(T options) => OptionsBinder.ToJson(options);

    /// <summary>The stage's folder: reused when it holds <see cref="DoneFile"/>, trained (from scratch) otherwise.</summary>
    static string Cached(string cache, string stage, long? seed, string key, Action<string> train, Action<string> say, List<StageRun> runs,
        Func<string, IReadOnlyDictionary<string, double>> metrics)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stage + "\n" + seed + "\n" + key)))[..16];
        var folder = Path.GetFullPath(Path.Combine(cache, $"{stage}{(seed is null ? "" : $"-s{seed}")}-{digest}"));
        var done = Path.Combine(folder, DoneFile);
        string label = seed is null ? stage : $"{stage} seed {seed}";
        if (File.Exists(done))
        {
            var record = JsonNode.Parse(File.ReadAllText(done))!;
            say($"{label}: cached ({folder})");
            runs.Add(new StageRun(stage, seed, folder, true, record["seconds"]!.GetValue<double>(), metrics(folder)));
            return folder;
        }
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); // a stage killed half-way starts again
        say($"{label}: training ({folder})");
        var clock = Stopwatch.StartNew();
        train(folder);
        double seconds = clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(folder);
        File.WriteAllText(done, new JsonObject { ["stage"] = stage, ["seed"] = seed, ["seconds"] = seconds, ["key"] = key }.ToJsonString());
        runs.Add(new StageRun(stage, seed, folder, false, seconds, metrics(folder)));
        say($"{label}: done in {seconds:F0} s");
        return folder;
    }

    /// <summary>SHA-256 of the world's corpus and tokenizer files, the only inputs of pretraining.</summary>
    static string CorpusDigest(string world)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var tokenizer = Path.Combine(world, TinyWorldWriter.TokenizerFolder);
        foreach (var file in new[] { Path.Combine(world, TinyWorldWriter.CorpusFile) }.Concat(Directory.GetFiles(tokenizer).Order(StringComparer.Ordinal)))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    static IReadOnlyDictionary<string, double> NoMetrics(string folder) => new Dictionary<string, double>();

    static IReadOnlyDictionary<string, double> ReadNumbers(string path) =>
        JsonNode.Parse(File.ReadAllText(path))!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());

    static bool SameFile(string a, string b) =>
        File.Exists(a) && File.Exists(b) && new FileInfo(a).Length == new FileInfo(b).Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
}
