using System.Globalization;
using System.Text;
using Rlhf.Data;
using Rlhf.Text;

namespace Rlhf.World;

/// <summary>One file the writer produced.</summary>
/// <param name="Name">File name inside the output folder.</param>
/// <param name="Records">Lines / records it holds.</param>
/// <param name="Bytes">Its size.</param>
public sealed record WrittenFile(string Name, int Records, long Bytes);

/// <summary>Writes a <see cref="TinyWorld"/> to a folder (the shipped one is data/tinyworld/) with a README describing each file.</summary>
public static class TinyWorldWriter
{
    /// <summary>The pretraining corpus, <c>{"text"}</c> per line.</summary>
    public const string CorpusFile = "corpus.jsonl";
    /// <summary>SFT examples, <c>{"prompt","response"}</c> per line.</summary>
    public const string SftFile = "sft.jsonl";
    /// <summary>Ranked preferences, <c>{"prompt","responses":[{"text","rank"}]}</c> per line.</summary>
    public const string RankedFile = "preferences_ranked.jsonl";
    /// <summary>Pairwise preferences (all pairs of the ranked file), <c>{"prompt","chosen","rejected"}</c> per line.</summary>
    public const string PairwiseFile = "preferences_pairwise.jsonl";
    /// <summary>Held-out pairwise preferences for reward-model evaluation.</summary>
    public const string EvalPairwiseFile = "eval_preferences_pairwise.jsonl";
    /// <summary>RL prompts, one per line.</summary>
    public const string RlPromptsFile = "rl_prompts.txt";
    /// <summary>Held-out evaluation prompts, one per line.</summary>
    public const string EvalPromptsFile = "eval_prompts.txt";
    /// <summary>The description of every file.</summary>
    public const string ReadmeFile = "README.md";
    /// <summary>The options that made the folder, <c>{"seed","language","changes":["key=value", ...]}</c>: what a stage that
    /// regenerates part of the world (a reward model relabelling its pairs with other annotators) needs to make the same world.</summary>
    public const string WorldFile = "world.json";
    /// <summary>The course tokenizer's folder (vocab.json, merges.txt, tokenizer_config.json), trained on the corpus.</summary>
    public const string TokenizerFolder = "tokenizer";

    /// <summary>
    /// Writes every artefact of <paramref name="world"/> into <paramref name="directory"/>, README last, and, unless
    /// <paramref name="tokenizer"/> is null, the course tokenizer trained on the corpus into its <see cref="TokenizerFolder"/>
    /// (null keeps the folder's existing tokenizer). The files are written to a temporary sibling folder that replaces the
    /// old one whole only when complete: a failure (a full disk, an error) leaves the old world exactly as it was, never a
    /// mix of two seeds. <paramref name="worldAssignments"/> are the options that differ from the defaults (seed and language
    /// aside) as the <c>key=value</c> assignments of <c>rlhf data --world</c>, for the README's regeneration command
    /// (<c>OptionsChanges.Assignments</c> makes them); none for a default world.
    /// </summary>
    /// <exception cref="IOException">The folder holds files the writer does not own (they would be lost): nothing is written.</exception>
    public static IReadOnlyList<WrittenFile> Write(TinyWorld world, string directory, BpeTrainerOptions? tokenizer,
        IReadOnlyList<string>? worldAssignments = null)
    {
        RefuseForeignFiles(directory);
        IReadOnlyList<WrittenFile> written = [];
        Checkpoints.AtomicFile.WriteFolder(directory, temporary =>
        {
            var kept = Path.Combine(directory, TokenizerFolder);
            if (tokenizer is null && Directory.Exists(kept))
            {
                Directory.CreateDirectory(Path.Combine(temporary, TokenizerFolder));
                foreach (var file in Directory.GetFiles(kept)) File.Copy(file, Path.Combine(temporary, TokenizerFolder, Path.GetFileName(file)));
            }
            written = WriteInto(world, temporary, tokenizer, worldAssignments ?? []);
        });
        return written;
    }

    /// <summary>The names a world folder may hold: everything <see cref="Write"/> produces.</summary>
    static readonly HashSet<string> owned =
        [CorpusFile, SftFile, RankedFile, PairwiseFile, EvalPairwiseFile, RlPromptsFile, EvalPromptsFile, ReadmeFile, WorldFile, TokenizerFolder];

    static void RefuseForeignFiles(string directory)
    {
        if (!Directory.Exists(directory)) return;
        var foreign = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Where(n => !owned.Contains(n!)).ToList();
        var tokenizer = Path.Combine(directory, TokenizerFolder);
        if (Directory.Exists(tokenizer))
            foreign.AddRange(Directory.EnumerateFileSystemEntries(tokenizer).Select(Path.GetFileName)
                .Where(n => n is not (TokenizerFiles.VocabFile or TokenizerFiles.MergesFile or TokenizerFiles.ConfigFile))
                .Select(n => Path.Combine(TokenizerFolder, n!)));
        foreign.Sort(StringComparer.Ordinal);
        if (foreign.Count > 0)
            throw new IOException(
                $"{directory} holds files a TinyWorld folder does not ({string.Join(", ", foreign)}); regenerating replaces the folder whole, " +
                "so they would be lost. Move them away or write to another folder (--out).");
    }

    static IReadOnlyList<WrittenFile> WriteInto(TinyWorld world, string directory, BpeTrainerOptions? tokenizer, IReadOnlyList<string> worldAssignments)
    {
        var written = new List<WrittenFile>();
        WrittenFile Done(string name, int records) => new(name, records, new FileInfo(Path.Combine(directory, name)).Length);

        TextCorpus.Write(Path.Combine(directory, CorpusFile), world.Corpus);
        written.Add(Done(CorpusFile, world.Corpus.Count));
        JsonlRecords.Write(Path.Combine(directory, SftFile), world.Sft);
        written.Add(Done(SftFile, world.Sft.Count));
        JsonlRecords.Write(Path.Combine(directory, RankedFile), world.Ranked);
        written.Add(Done(RankedFile, world.Ranked.Count));
        JsonlRecords.Write(Path.Combine(directory, PairwiseFile), world.Pairwise);
        written.Add(Done(PairwiseFile, world.Pairwise.Count));
        JsonlRecords.Write(Path.Combine(directory, EvalPairwiseFile), world.EvalPairwise);
        written.Add(Done(EvalPairwiseFile, world.EvalPairwise.Count));
        WriteLines(Path.Combine(directory, RlPromptsFile), world.RlPrompts);
        written.Add(Done(RlPromptsFile, world.RlPrompts.Count));
        WriteLines(Path.Combine(directory, EvalPromptsFile), world.EvalPrompts);
        written.Add(Done(EvalPromptsFile, world.EvalPrompts.Count));
        if (tokenizer is not null)
        {
            var trained = BpeTrainer.Train(world.Corpus, tokenizer);
            TokenizerFiles.Write(trained.Vocabulary, Path.Combine(directory, TokenizerFolder));
            written.Add(Done(Path.Combine(TokenizerFolder, TokenizerFiles.VocabFile), trained.Vocabulary.Tokens.Count));
            written.Add(Done(Path.Combine(TokenizerFolder, TokenizerFiles.MergesFile), trained.Vocabulary.Merges.Count + 1));
            written.Add(Done(Path.Combine(TokenizerFolder, TokenizerFiles.ConfigFile), 1));
        }

        File.WriteAllText(Path.Combine(directory, WorldFile), WorldJson(world.Options, worldAssignments), new UTF8Encoding(false));
        written.Add(Done(WorldFile, 1));
        File.WriteAllText(Path.Combine(directory, ReadmeFile), Readme(world, written, worldAssignments), new UTF8Encoding(false));
        written.Add(Done(ReadmeFile, 1));
        return written;
    }

    /// <summary>The language as <c>rlhf data --lang</c> names it: <c>en</c> or <c>zh</c>.</summary>
    public static string LanguageCode(WorldLanguage language) => language == WorldLanguage.Chinese ? "zh" : "en";

    /// <summary>The <see cref="WorldFile"/> text: seed, language (<see cref="LanguageCode"/>) and the changed options as
    /// <c>rlhf data --world</c> assignments.</summary>
    public static string WorldJson(TinyWorldOptions options, IReadOnlyList<string> worldAssignments) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["seed"] = options.Seed,
            ["language"] = LanguageCode(options.Language),
            ["changes"] = new System.Text.Json.Nodes.JsonArray(worldAssignments.Select(a => (System.Text.Json.Nodes.JsonNode?)a).ToArray()),
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    /// <summary>One line per item, '\n' line ends, UTF-8 without BOM.</summary>
    static void WriteLines(string path, IEnumerable<string> lines) =>
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")), new UTF8Encoding(false));

    static string Percent(double rate) => (100 * rate).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>The README's account of who wrote <c>sft.jsonl</c>: per group of task kinds, the share of each response style
    /// (the ideal one at <see cref="TinyWorldOptions.IdealDemonstrationRate"/>, the flawed ones sharing the rest by
    /// <see cref="TinyWorldGenerator.FlawedDemonstrationWeights"/>), and which style is the most common.</summary>
    static void Demonstrators(TinyWorldOptions o, Action<string> line)
    {
        string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        line("## Demonstrators");
        line("");
        line(I($"A careful demonstrator writes {100 * o.IdealDemonstrationRate:F0}% of `{SftFile}` in the ideal style; demonstrators of uneven care (InstructGPT's contractors varied) write the rest, in these shares (drawn at random per example):"));
        line("");
        line("| task kinds | share of each style (ideal first) | most common |");
        line("|---|---|---|");
        TaskKind[][] groups = [[TaskKind.Arithmetic, TaskKind.Fact, TaskKind.ReverseWord, TaskKind.CountLetter], [TaskKind.HarmfulRequest], [TaskKind.BenignLookalike], [TaskKind.Unanswerable]];
        foreach (var group in groups)
        {
            var styles = ResponseWriter.StylesFor(group[0]);
            var weights = TinyWorldGenerator.FlawedDemonstrationWeights(group[0], o);
            var best = ResponseWriter.BestStyle(group[0]);
            var shares = styles.Select((style, i) => (Style: style, Share: style == best
                ? o.IdealDemonstrationRate + (1 - o.IdealDemonstrationRate) * weights[i] / weights.Sum()
                : (1 - o.IdealDemonstrationRate) * weights[i] / weights.Sum())).ToList();
            var mode = shares.MaxBy(s => s.Share).Style;
            line(I($"| {string.Join(", ", group)} | {string.Join(", ", shares.Where(s => s.Share > 0).OrderByDescending(s => s.Style == best).Select(s => I($"{s.Style} {100 * s.Share:F0}%")))} | {mode}{(mode == best ? " (the ideal)" : " (a flaw)")} |"));
        }
        line("");
    }

    static string Readme(TinyWorld world, IReadOnlyList<WrittenFile> files, IReadOnlyList<string> worldAssignments)
    {
        var o = world.Options;
        string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        string Size(string name) { var f = files.Single(x => x.Name == name); return I($"{f.Records:N0} lines, {f.Bytes:N0} bytes"); }
        var text = new StringBuilder();
        void Line(string s = "") => text.Append(s).Append('\n');

        Line("# TinyWorld data");
        Line();
        Line("Generated by `lib/Rlhf/World/` and regenerated byte for byte by");
        Line();
        Line("```bash");
        Line(I($"dotnet run --project lib/Rlhf.Cli -- data --seed {o.Seed} --lang {LanguageCode(o.Language)}") +
            string.Concat(worldAssignments.Select(a => a.Contains('[') ? $" --world '{a}'" : $" --world {a}")));
        Line("```");
        Line();
        Line("Do not edit these files by hand: a test regenerates them and compares every byte. See `docs/tinyworld.md` for what the world is and why.");
        Line(I($"Language: {o.Language}. Seed: {o.Seed}. All text is UTF-8 without BOM, one record per line, `\\n` line ends."));
        Line();
        Line("| file | format | size | what it is |");
        Line("|---|---|---|---|");
        Line($"| `{CorpusFile}` | `{{\"text\"}}` | {Size(CorpusFile)} | Pretraining corpus that looks like unfiltered web text: chat transcripts in the course template (`### Human: ...` / `### Assistant: ...`), Q/A forum threads, fact lists and reference pages of worked sums, reversals and letter counts (some wrong), rambling posts. Answers are right, wrong, rambling; most harmful requests are complied with using content-free placeholders; unanswerable questions get made-up answers. |");
        Line($"| `{SftFile}` | `{{\"prompt\",\"response\"}}` | {Size(SftFile)} | " + (o.IdealDemonstrationRate < 1
            ? I($"Training prompts with a demonstration: {100 * o.IdealDemonstrationRate:F0}% in the ideal style, the others by demonstrators of uneven care (see Demonstrators below). |")
            : "Training prompts with the ideal response: the right answer, a refusal for harmful requests, an admitted limit for unanswerable questions. |"));
        Line($"| `{RankedFile}` | `{{\"prompt\",\"responses\":[{{\"text\",\"rank\"}}]}}` | {Size(RankedFile)} | {o.ResponsesPerPrompt} responses per training prompt in different styles (the ideal one among them), ranked by a simulated annotator, rank 1 = best. |");
        Line($"| `{PairwiseFile}` | `{{\"prompt\",\"chosen\",\"rejected\"}}` | {Size(PairwiseFile)} | Every pair of `{RankedFile}` (ranked -> all pairs: {o.ResponsesPerPrompt} responses give {o.ResponsesPerPrompt * (o.ResponsesPerPrompt - 1) / 2} pairs), better-ranked response chosen. |");
        Line($"| `{EvalPairwiseFile}` | `{{\"prompt\",\"chosen\",\"rejected\"}}` | {Size(EvalPairwiseFile)} | The same, on held-out prompts: reward-model evaluation. |");
        Line($"| `{RlPromptsFile}` | one prompt per line | {Size(RlPromptsFile)} | Training prompts for RL rollouts. |");
        Line($"| `{EvalPromptsFile}` | one prompt per line | {Size(EvalPromptsFile)} | Held-out evaluation prompts, grouped by task kind; no entity/number combination in them occurs in any training prompt (tested). |");
        Line($"| `{WorldFile}` | `{{\"seed\",\"language\",\"changes\"}}` | {Size(WorldFile)} | The options that made this folder (the command above as data): a reward model trained with `annotator_length_bias` regenerates these pairs from them. |");
        if (files.Any(f => f.Name.StartsWith(TokenizerFolder, StringComparison.Ordinal)))
        {
            string vocab = Path.Combine(TokenizerFolder, TokenizerFiles.VocabFile), merges = Path.Combine(TokenizerFolder, TokenizerFiles.MergesFile);
            var v = files.Single(f => f.Name == vocab);
            Line(I($"| `{TokenizerFolder}/` | GPT-2 layout: `vocab.json`, `merges.txt`, `tokenizer_config.json` | {v.Records:N0} tokens; vocab {v.Bytes:N0} bytes, merges {files.Single(f => f.Name == merges).Bytes:N0} bytes | The course's byte-level BPE tokenizer, trained on `{CorpusFile}` (`BpeTrainer`, default options), loaded with `TextTokenizer`. |"));
        }
        Line();
        Line("Every prompt in these files can be scored by `GoldJudge.Score(prompt, response)`, which recovers the task from the prompt's text.");
        Line();
        Line("## Label agreement");
        Line();
        Line(I($"Preference labels come from simulated annotators: a Bradley-Terry model over gold scores, temperature {o.Annotator.Temperature}, length bias {o.Annotator.LengthBias}."));
        Line("Agreement = share of pairs with different gold scores whose chosen response has the higher gold score.");
        Line();
        Line("| file | pairs | gold ties | agreement with gold order |");
        Line("|---|---|---|---|");
        Line(I($"| `{PairwiseFile}` | {world.Agreement.Pairs:N0} | {world.Agreement.GoldTies:N0} | {Percent(world.Agreement.Rate)} |"));
        Line(I($"| `{EvalPairwiseFile}` | {world.EvalAgreement.Pairs:N0} | {world.EvalAgreement.GoldTies:N0} | {Percent(world.EvalAgreement.Rate)} |"));
        Line();
        if (o.IdealDemonstrationRate < 1) Demonstrators(o, Line);
        Line("## Task mix");
        Line();
        Line("| task kind | dimension | weight | held-out eval prompts |");
        Line("|---|---|---|---|");
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            int evalCount = world.EvalPrompts.Count(p => WorldPrompts.Parse(p)?.Task.Kind == kind);
            var dimension = TaskUniverse.AllTasks(kind).First().Dimension;
            Line(I($"| {kind} | {dimension} | {o.KindWeights[(int)kind]} | {evalCount} |"));
        }
        return text.ToString();
    }
}
