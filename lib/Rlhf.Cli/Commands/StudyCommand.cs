using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Rlhf.Checkpoints;
using Rlhf.Study;
using Rlhf.Training;
using Rlhf.World;

namespace Rlhf.Cli.Commands;

/// <summary><c>rlhf study --out out/study/NAME [--world key=value] [--set stage.key=value] [--seeds 31,32,33] [--stages ...] [--smoke]</c>:
/// one command per experiment (<see cref="StudyRunner"/>), every stage cached by its inputs and options.</summary>
static class StudyCommand
{
    /// <summary>Rough wall times (seconds, 2 cores) of each stage at full size, used when the cache holds no earlier run of it.</summary>
    static readonly Dictionary<string, double> DefaultSeconds = new() { ["pairs"] = 120, ["world"] = 10, ["base"] = 900, ["sft"] = 60, ["rm"] = 90, ["ppo"] = 90, ["dpo"] = 90, ["eval"] = 240 };

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The study's folder (cache, study.json, study.md).", Required = true };
        var world = new Option<string[]>("--world") { Description = "A TinyWorld option, changed from the default world (the shipped one is data/tinyworld/world.json's): key=value (e.g. ideal_demonstration_rate=0.5). Repeatable.", DefaultValueFactory = _ => [] };
        var set = new Option<string[]>("--set") { Description = "A stage option: stage.key=value (e.g. ppo.kl_coef=0.1, dpo.beta=0.2). Repeatable.", DefaultValueFactory = _ => [] };
        var seeds = new Option<string>("--seeds") { Description = "Training seeds, comma-separated.", DefaultValueFactory = _ => "1234" };
        var stages = new Option<string>("--stages") { Description = $"Stages to run ({string.Join(",", StudyOptions.AllStages)}).", DefaultValueFactory = _ => string.Join(",", StudyOptions.AllStages) };
        var smoke = new Option<bool>("--smoke") { Description = "Tiny sizes everywhere (a quick check of the recipe)." };
        var onPolicy = new Option<int>("--on-policy-samples") { Description = "Add comparisons of the SFT policy's own samples (N per preference prompt, labelled by the world's annotator) to the RM's and DPO's pairs; 0 adds none.", DefaultValueFactory = _ => 0 };
        var headroom = new Option<int>("--headroom-samples") { Description = "Samples per prompt of the headroom table (0 skips it).", DefaultValueFactory = _ => 8 };
        var command = new Command("study", "Run an experiment end to end (world -> SFT -> RM -> PPO and DPO -> evaluation) per seed, each stage cached; writes study.json and study.md.")
        {
            output, world, set, seeds, stages, smoke, headroom, onPolicy,
        };
        command.SetAction(parse =>
        {
            StudyOptions options;
            try
            {
                TinyWorldOptions worldOptions;
                try { worldOptions = OptionsBinder.Bind(new TinyWorldOptions(), null, parse.GetValue(world)!); }
                catch (ArgumentException e) { throw new ArgumentException(e.Message.Replace("--set ", "--world "), e); }
                var overrides = new Dictionary<string, List<string>>();
                foreach (var assignment in parse.GetValue(set)!)
                {
                    int dot = assignment.IndexOf('.');
                    if (dot <= 0) throw new ArgumentException($"--set {assignment}: expected stage.key=value (stages: {string.Join(", ", StudyOptions.AllStages)}, base)");
                    string stage = assignment[..dot];
                    if (!StudyOptions.AllStages.Contains(stage) && stage != "base") throw new ArgumentException($"--set {assignment}: unknown stage '{stage}' (stages: {string.Join(", ", StudyOptions.AllStages)}, base)");
                    (overrides.TryGetValue(stage, out var list) ? list : overrides[stage] = []).Add(assignment[(dot + 1)..]);
                }
                var seedList = parse.GetValue(seeds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"--seeds: '{s}' is not an integer")).ToList();
                options = new StudyOptions
                {
                    OutputFolder = parse.GetValue(output)!, World = worldOptions, Seeds = seedList, Smoke = parse.GetValue(smoke),
                    Stages = parse.GetValue(stages)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Overrides = overrides.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)o.Value), HeadroomSamples = parse.GetValue(headroom), OnPolicySamples = parse.GetValue(onPolicy),
                }.Validate();
                StudyRunner.CheckOverrides(options);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"rlhf study: {e.Message}");
                return 2;
            }
            try
            {
                Console.Error.WriteLine(Estimate(options));
                var runs = StudyRunner.Run(options, line => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}"));
                var commandLine = "rlhf study " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1).SkipWhile(a => a != "study").Skip(1));
                var report = StudyReport.From(runs);
                Console.WriteLine(report.Write(options.OutputFolder, commandLine));
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"rlhf study: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or CheckpointFormatException or TrainingDivergedException or Rlhf.Data.DatasetFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rlhf study: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>What the study will train and about how long it takes, from earlier runs of each stage in this cache (or rough defaults).</summary>
    static string Estimate(StudyOptions options)
    {
        var cache = Path.Combine(options.OutputFolder, "cache");
        var seen = new Dictionary<string, List<double>>();
        if (Directory.Exists(cache))
            foreach (var done in Directory.GetFiles(cache, StudyRunner.DoneFile, SearchOption.AllDirectories))
            {
                var record = JsonNode.Parse(File.ReadAllText(done))!;
                var stage = record["stage"]!.GetValue<string>();
                (seen.TryGetValue(stage, out var list) ? list : seen[stage] = []).Add(record["seconds"]!.GetValue<double>());
            }
        double Seconds(string stage) => options.Smoke ? 5 : seen.TryGetValue(stage, out var list) ? list.Average() : DefaultSeconds[stage];
        var stages = new[] { "sft", "rm", "ppo", "dpo", "eval" }.Where(s => options.Stages.Contains(s) || s is "sft" || (s is "rm" && options.Stages.Any(x => x is "ppo" or "eval"))).ToList();
        double total = Seconds("world") + options.Seeds.Count * stages.Sum(Seconds);
        static string Time(double seconds) => seconds < 90 ? $"{seconds:F0} s" : $"{seconds / 60:F0} min";
        return $"study: {options.Seeds.Count} seed(s) x {string.Join(", ", stages)}; at most ~{Time(total)} if nothing is cached " +
               $"({(seen.Count > 0 ? "from earlier runs in this cache" : options.Smoke ? "smoke sizes" : "rough full-size figures")}; a new world whose corpus differs adds pretraining, ~{Time(Seconds("base"))})";
    }
}
