using Rlhf.Checkpoints;
using Rlhf.Data;
using Rlhf.Evaluation;
using Rlhf.Generation;
using Rlhf.Models;
using Rlhf.Text;
using Rlhf.Torch;
using Rlhf.Training;
using Rlhf.Tests.Training;

namespace Rlhf.Tests.Data;

/// <summary>Every dataset format, detected from its content and read by every stage that can use it (a few steps each, tiny
/// models), on the shipped samples in <c>data/samples/</c>.</summary>
[Collection(GlobalRandomRuns.Name)]
public sealed class DatasetFileTests : IDisposable
{
    static readonly string Samples = Repo.Path("data", "samples");
    readonly string root = Directory.CreateTempSubdirectory("rlhf-formats-").FullName;

    public DatasetFileTests() => TorchRuntime.Init();

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<string> SftFiles => new(DataSamples.Files.Where(f => !f.Preferences).Select(f => f.File));

    public static TheoryData<string> PreferenceFiles => new(DataSamples.Files.Where(f => f.Preferences).Select(f => f.File));

    [Fact]
    public void Each_sample_is_detected_as_its_format_and_reads_the_same_records_as_the_seed_file()
    {
        foreach (var (file, format, _) in DataSamples.Files)
            Assert.Equal((file, format), (file, DatasetFile.Detect(Path.Combine(Samples, file))));
        var sft = DatasetFile.LoadSft(Path.Combine(Samples, "sft.jsonl")).Records;
        Assert.Equal(32, sft.Count);
        foreach (var file in new[] { "chat_sft.jsonl", "sft.parquet" })
            Assert.Equal(sft, DatasetFile.LoadSft(Path.Combine(Samples, file)).Records);
        var pairs = DatasetFile.LoadPairs(Path.Combine(Samples, "pairwise.jsonl")).Records;
        foreach (var file in new[] { "hh_rlhf.jsonl", "chat_pairs.jsonl", "pairs.parquet" })
            Assert.Equal(pairs, DatasetFile.LoadPairs(Path.Combine(Samples, file)).Records);
        var ranked = DatasetFile.LoadPairs(Path.Combine(Samples, "ranked.jsonl"));
        Assert.Equal(8 * 6, ranked.Records.Count); // 8 rankings of 4 responses, 6 pairs each
        Assert.Equal(pairs.Take(6), ranked.Records.Take(6)); // the seed's pairwise file is the same conversion
        Assert.Contains("8 rankings", ranked.Report.Summary);
    }

    [Fact]
    public void The_shipped_samples_are_what_the_generator_writes_from_the_shipped_world()
    {
        DataSamples.Write(Repo.Path("data", "tinyworld"), root);
        foreach (var (file, _, preferences) in DataSamples.Files)
        {
            string shipped = Path.Combine(Samples, file), fresh = Path.Combine(root, file);
            if (file.EndsWith(".jsonl")) Assert.Equal(File.ReadAllText(shipped), File.ReadAllText(fresh));
            else if (preferences) Assert.Equal(DatasetFile.LoadPairs(shipped).Records, DatasetFile.LoadPairs(fresh).Records);
            else Assert.Equal(DatasetFile.LoadSft(shipped).Records, DatasetFile.LoadSft(fresh).Records);
        }
    }

    [Fact]
    public void A_file_of_the_wrong_kind_or_of_no_known_format_is_refused_naming_it()
    {
        var pairs = Path.Combine(Samples, "hh_rlhf.jsonl");
        var wrongKind = Assert.Throws<DatasetFormatException>(() => DatasetFile.LoadSft(pairs));
        Assert.Contains("hh_rlhf.jsonl", wrongKind.Message);
        Assert.Contains("holds preferences", wrongKind.Message);
        Assert.Contains("holds demonstrations", Assert.Throws<DatasetFormatException>(() => DatasetFile.LoadPairs(Path.Combine(Samples, "sft.jsonl"))).Message);
        var unknown = Path.Combine(root, "unknown.jsonl");
        File.WriteAllText(unknown, "\n{\"question\": \"q\", \"answer\": \"a\"}\n");
        var error = Assert.Throws<DatasetFormatException>(() => DatasetFile.Detect(unknown));
        Assert.Contains("line 2", error.Message);
        Assert.Contains("question, answer", error.Message);
        // A stage reading it names the field its own format misses.
        Assert.Contains("'prompt'", Assert.Throws<DatasetFormatException>(() => DatasetFile.LoadSft(unknown)).Message);
    }

    [Fact]
    public void A_bare_file_name_is_in_the_data_folder_and_a_path_is_taken_as_given()
    {
        Assert.Equal(Path.Combine("data/tinyworld", "sft.jsonl"), DatasetFile.Resolve("data/tinyworld", "sft.jsonl"));
        Assert.Equal("data/samples/sft.parquet", DatasetFile.Resolve("data/tinyworld", "data/samples/sft.parquet"));
        Assert.Equal("/abs/pairs.jsonl", DatasetFile.Resolve("data/tinyworld", "/abs/pairs.jsonl"));
    }

    [Fact]
    public void Cli_dpo_reads_the_hh_rlhf_sample_and_sft_the_parquet_sample()
    {
        var (code, text) = Repo.RunCli(null, "dpo", "--set", "train_file=data/samples/hh_rlhf.jsonl", "--set", "eval_file=data/samples/hh_rlhf.jsonl",
            "--set", $"input_checkpoint={TinyCheckpoint()}", "--set", "training.max_steps=2", "--set", "max_train_pairs=8", "--set", "eval_pairs=4",
            "--set", "gold_prompts_per_kind=0", "--out", Path.Combine(root, "cli-dpo"));
        Assert.True(code == 0, text);
        Assert.Contains("data: data/samples/hh_rlhf.jsonl: hh-rlhf jsonl, 32 records", text);
        (code, text) = Repo.RunCli(null, "sft", "--set", "train_file=data/samples/sft.parquet", "--set", $"input_checkpoint={TinyCheckpoint()}",
            "--set", "training.max_steps=2", "--set", "eval_examples=4", "--set", "evaluate_input_model=false", "--set", "evaluation.max_prompts_per_kind=1",
            "--set", "evaluation.generation.max_new_tokens=2", "--out", Path.Combine(root, "cli-sft"));
        Assert.True(code == 0, text);
        Assert.Contains("data/samples/sft.parquet (sft parquet): 32 examples", text);
    }

    static GptConfig Tiny(TextTokenizer tokenizer) =>
        new() { Layers = 1, Heads = 2, EmbeddingSize = 16, ContextLength = 128, VocabularySize = tokenizer.VocabularySize };

    string TinyCheckpoint()
    {
        var folder = Path.Combine(root, "tiny");
        if (Directory.Exists(folder)) return folder;
        var tokenizerFolder = Repo.Path("data", "tinyworld", "tokenizer");
        Seeding.Seed(3);
        var config = Tiny(TextTokenizer.Load(tokenizerFolder));
        using var model = new Gpt(config);
        Checkpoint.Save(folder, model, config, tokenizerFolder);
        return folder;
    }

    [Theory]
    [MemberData(nameof(SftFiles))]
    public void Sft_trains_on_every_sft_format(string file)
    {
        var path = Path.Combine(Samples, file);
        var result = SftTraining.Run(new SftOptions
        {
            Training = new TrainingOptions { MaxSteps = 2, BatchSize = 4, WarmupSteps = 0, EvalEvery = 0 },
            DataFolder = Repo.Path("data", "tinyworld"), TrainFile = path, EvalFile = path, EvalExamples = 4,
            InputCheckpoint = TinyCheckpoint(), OutputFolder = Path.Combine(root, "sft-" + file), EvaluateInputModel = false,
            Evaluation = new PolicyEvaluationOptions
            {
                PromptsFile = Repo.Path("data", "tinyworld", "eval_prompts.txt"), MaxPromptsPerKind = 1,
                Generation = new GenerationOptions { Sampling = SamplingOptions.GreedyDecoding, MaxNewTokens = 2 },
            },
        });
        Assert.Equal((32, 4), (result.Data.TrainExamples, result.Data.EvalExamples));
        Assert.Equal(2, result.Training.History.Series("loss").Count);
    }

    [Theory]
    [MemberData(nameof(PreferenceFiles))]
    public void The_reward_model_and_dpo_train_on_every_preference_format(string file)
    {
        var path = Path.Combine(Samples, file);
        var tokenizer = TextTokenizer.Load(Repo.Path("data", "tinyworld", "tokenizer"));
        var rm = RewardModelTraining.Run(new RewardModelOptions
        {
            DataFolder = Repo.Path("data", "tinyworld"), TrainFile = path, EvalFile = path, InitFrom = null, RandomModel = Tiny(tokenizer),
            OutputFolder = Path.Combine(root, "rm-" + file), MaxLength = 96, EvalPairs = 8, TrainEvalPairs = 0,
            NormalizationPrompts = 4, NormalizationMaxNewTokens = 2,
            Training = new TrainingOptions { MaxSteps = 2, BatchSize = 4, WarmupSteps = 0, EvalEvery = 0 },
        });
        Assert.Equal(DatasetFile.LoadPairs(path).Records.Count, rm.HeldOut.Pairs);
        using var dpo = DpoTraining.Run(DpoOptions.Course with
        {
            DataFolder = Repo.Path("data", "tinyworld"), TrainFile = path, EvalFile = path, InputCheckpoint = TinyCheckpoint(),
            OutputFolder = Path.Combine(root, "dpo-" + file), MaxTrainPairs = 8, EvalPairs = 4, GoldPromptsPerKind = 0,
            Training = DpoOptions.DefaultTraining with { MaxSteps = 2, BatchSize = 4, WarmupSteps = 0, EvalEvery = 0 },
        });
        Assert.Equal((8, 4), (dpo.TrainPairs, dpo.EvalPairs));
        Assert.Equal(2, dpo.Training.History.Series("loss").Count);
    }
}
