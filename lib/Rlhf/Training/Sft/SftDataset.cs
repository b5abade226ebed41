using Rlhf.Data;
using Rlhf.Text;
using Rlhf.Torch;

namespace Rlhf.Training;

/// <summary>What loading the SFT data did: nothing cut or held out goes unmentioned.</summary>
/// <param name="File">The file read.</param>
/// <param name="Format">The format it was read as (<see cref="DatasetFile"/>).</param>
/// <param name="Examples">Records read.</param>
/// <param name="BlankLines">Blank lines skipped.</param>
/// <param name="TrainExamples">Examples trained on.</param>
/// <param name="EvalExamples">Examples held out for the evaluation loss.</param>
/// <param name="TruncatedExamples">Examples longer than the maximum length, cut by the chat template's policy (kept).</param>
/// <param name="PromptTokensRemoved">Prompt tokens cut in total.</param>
/// <param name="ResponseTokensRemoved">Response tokens cut in total (end-of-text not counted).</param>
/// <param name="EndOfTextRemoved">Examples that lost their end-of-text token.</param>
/// <param name="MeanLength">Mean tokens per example after the template.</param>
/// <param name="LongestExample">Tokens of the longest example.</param>
/// <param name="MeanResponseTokens">Mean loss tokens per example (response + end-of-text).</param>
public sealed record SftDataReport(
    string File, string Format, int Examples, int BlankLines, int TrainExamples, int EvalExamples, int TruncatedExamples, int PromptTokensRemoved,
    int ResponseTokensRemoved, int EndOfTextRemoved, double MeanLength, int LongestExample, double MeanResponseTokens)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{File} ({Format}): {Examples} examples ({BlankLines} blank lines skipped), {TrainExamples} train / {EvalExamples} held out; " +
        $"mean {MeanLength:F1} tokens ({MeanResponseTokens:F1} trained on), longest {LongestExample}; " +
        (TruncatedExamples == 0 ? "none truncated" :
            $"{TruncatedExamples} truncated ({PromptTokensRemoved} prompt tokens, {ResponseTokensRemoved} response tokens, {EndOfTextRemoved} end-of-text removed)");
}

/// <summary>
/// The SFT data in the chat template: each <c>{"prompt","response"}</c> of <c>sft.jsonl</c> encoded by
/// <see cref="ChatTemplate.EncodeTraining"/> (ids + loss mask, end-of-text appended), split by a seeded shuffle into
/// training and held-out examples.
/// </summary>
/// <param name="Train">Examples trained on.</param>
/// <param name="Eval">Held-out examples (the evaluation loss).</param>
/// <param name="Report">Counts, including every truncation.</param>
public sealed record SftDataset(IReadOnlyList<ChatExample> Train, IReadOnlyList<ChatExample> Eval, SftDataReport Report)
{
    /// <summary>The file name inside the data folder.</summary>
    public const string FileName = "sft.jsonl";

    /// <summary>Reads <c>sft.jsonl</c> from <paramref name="dataFolder"/> and encodes it with <paramref name="template"/>.</summary>
    /// <exception cref="ArgumentException">Fewer examples than <paramref name="evalExamples"/> + 1.</exception>
    public static SftDataset Load(string dataFolder, ChatTemplate template, int maxLength, int evalExamples, long seed) =>
        Load(Path.Combine(dataFolder, FileName), null, DatasetFormat.Auto, template, maxLength, evalExamples, seed);

    /// <summary>Reads demonstrations in any SFT format (<see cref="DatasetFile.LoadSft"/>) from <paramref name="trainPath"/> and
    /// encodes them; the held-out examples come from <paramref name="evalPath"/> (up to <paramref name="evalExamples"/>, spread
    /// evenly over it) or, when it is null, from the training file by a seeded shuffle.</summary>
    public static SftDataset Load(string trainPath, string? evalPath, DatasetFormat format, ChatTemplate template, int maxLength, int evalExamples, long seed)
    {
        var loaded = DatasetFile.LoadSft(trainPath, format);
        if (loaded.Records.Count == 0) throw new DatasetFormatException(trainPath, null, null, "holds no demonstrations");
        if (evalPath is null) return Encode(loaded.Records, template, maxLength, evalExamples, seed, trainPath, loaded.Report.BlankLines, loaded.Report.Format);
        var held = DatasetFile.LoadSft(evalPath, format).Records;
        if (held.Count == 0) throw new DatasetFormatException(evalPath, null, null, "holds no demonstrations");
        var spread = held.Count <= evalExamples ? held : Enumerable.Range(0, evalExamples).Select(i => held[(int)((long)i * held.Count / evalExamples)]).ToList();
        var train = Encode(loaded.Records, template, maxLength, 0, seed, trainPath, loaded.Report.BlankLines, loaded.Report.Format);
        var eval = spread.Select(e => template.EncodeTraining(e.Prompt, e.Response, maxLength)).ToList();
        return train with { Eval = eval, Report = train.Report with { EvalExamples = eval.Count, File = $"{trainPath} (held out: {evalPath})" } };
    }

    /// <summary>Encodes <paramref name="examples"/> and holds out <paramref name="evalExamples"/> of them, chosen by a shuffle
    /// seeded with <paramref name="seed"/> (the same seed holds out the same examples).</summary>
    public static SftDataset Encode(IReadOnlyList<SftExample> examples, ChatTemplate template, int maxLength, int evalExamples, long seed,
        string source = "(in memory)", int blankLines = 0, string format = "sft jsonl")
    {
        if (examples.Count <= evalExamples)
            throw new ArgumentException($"{source}: {examples.Count} examples, but {evalExamples} are to be held out and at least one trained on; lower eval_examples.");
        var encoded = examples.Select(e => template.EncodeTraining(e.Prompt, e.Response, maxLength)).ToArray();
        var order = Enumerable.Range(0, encoded.Length).ToArray();
        Seeding.Derive(seed, purpose: RandomStreams.SftSplit).Shuffle(order);
        var eval = order.Take(evalExamples).Order().Select(i => encoded[i]).ToList();
        var train = order.Skip(evalExamples).Order().Select(i => encoded[i]).ToList();
        var truncated = encoded.Where(e => e.Truncation.Truncated).ToList();
        var report = new SftDataReport(source, format, examples.Count, blankLines, train.Count, eval.Count, truncated.Count,
            truncated.Sum(e => e.Truncation.PromptTokensRemoved), truncated.Sum(e => e.Truncation.ResponseTokensRemoved),
            truncated.Count(e => e.Truncation.EndOfTextRemoved), encoded.Average(e => (double)e.Length), encoded.Max(e => e.Length),
            encoded.Average(e => (double)e.LossMask.Sum()));
        return new SftDataset(train, eval, report);
    }
}
