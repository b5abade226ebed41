using Rlhf.Text;

namespace Rlhf.Training;

/// <summary>
/// The pretraining corpus as two token streams: every document tokenised, each followed by end-of-text, all joined
/// into one long stream (GPT-2's recipe). The last documents are held out as the evaluation stream, so no evaluated
/// token was trained on. Training windows are <c>ContextLength + 1</c> tokens at random starts: the first
/// <c>ContextLength</c> are the inputs, the last <c>ContextLength</c> the targets (each input's next token).
/// </summary>
public sealed class PretrainData
{
    /// <summary>Builds the streams from already tokenised documents.</summary>
    /// <param name="documents">Token ids of each document, in corpus order.</param>
    /// <param name="endOfTextId">The id appended after every document.</param>
    /// <param name="evalFraction">Share of documents (the last ones) held out for evaluation, in (0, 1).</param>
    public PretrainData(IReadOnlyList<int[]> documents, int endOfTextId, double evalFraction)
    {
        var (train, eval) = SplitCount(documents.Count, evalFraction);
        TrainDocuments = train;
        EvalDocuments = eval;
        TrainTokens = Concatenate(documents.Take(train), endOfTextId);
        EvalTokens = Concatenate(documents.Skip(train), endOfTextId);
    }

    /// <summary>Tokenises <paramref name="documents"/> with <paramref name="tokenizer"/> and builds the streams.</summary>
    public static PretrainData FromText(IReadOnlyList<string> documents, TextTokenizer tokenizer, double evalFraction) =>
        new(documents.Select(tokenizer.Encode).ToList(), tokenizer.EndOfTextId, evalFraction);

    /// <summary>Documents in the training stream (the first ones).</summary>
    public int TrainDocuments { get; }

    /// <summary>Documents in the evaluation stream (the last ones).</summary>
    public int EvalDocuments { get; }

    /// <summary>The training stream: documents, each followed by end-of-text.</summary>
    public int[] TrainTokens { get; }

    /// <summary>The held-out stream, built the same way from the held-out documents.</summary>
    public int[] EvalTokens { get; }

    /// <summary>How many documents train and how many are held out: the last <c>round(n * evalFraction)</c> (at least 1)
    /// are held out, and at least one document trains.</summary>
    public static (int Train, int Eval) SplitCount(int documents, double evalFraction)
    {
        if (evalFraction is <= 0 or >= 1) throw new ArgumentException($"eval_fraction must be in (0, 1), got {evalFraction}", nameof(evalFraction));
        if (documents < 2) throw new ArgumentException($"the corpus needs at least 2 documents (one to train on, one to evaluate on), got {documents}", nameof(documents));
        int eval = Math.Clamp((int)Math.Round(documents * evalFraction), 1, documents - 1);
        return (documents - eval, eval);
    }

    /// <summary>The documents joined into one stream, each followed by <paramref name="endOfTextId"/>.</summary>
    public static int[] Concatenate(IEnumerable<int[]> documents, int endOfTextId)
    {
        var stream = new List<int>();
        foreach (var document in documents)
        {
            stream.AddRange(document);
            stream.Add(endOfTextId);
        }
        return [.. stream];
    }

    /// <summary>
    /// Start offsets of the <paramref name="count"/> training windows of optimizer step <paramref name="step"/>:
    /// uniform over every start where a window of <paramref name="windowLength"/> tokens fits, a pure function of
    /// (seed, step) so a resumed run reads the same windows as an uninterrupted one.
    /// </summary>
    public static int[] WindowStarts(long seed, int step, int count, int streamLength, int windowLength)
    {
        int starts = streamLength - windowLength + 1;
        if (starts < 1) throw new ArgumentException($"the token stream has {streamLength} tokens, fewer than one window of {windowLength}: use more data or a shorter context_length");
        var random = Torch.Seeding.Derive(seed, Torch.RandomStreams.DataOrder + step);
        return Enumerable.Range(0, count).Select(_ => random.Next(starts)).ToArray();
    }

    /// <summary>Starts of consecutive, non-overlapping evaluation windows (the last target of one window is the first
    /// input of the next, so every held-out token after the first is predicted once), at most <paramref name="maxWindows"/>.</summary>
    public static int[] EvalWindowStarts(int streamLength, int contextLength, int maxWindows)
    {
        int fit = (streamLength - 1) / contextLength;
        if (fit < 1) throw new ArgumentException($"the held-out stream has {streamLength} tokens, fewer than one window of {contextLength + 1}: raise eval_fraction");
        return Enumerable.Range(0, Math.Min(fit, maxWindows)).Select(w => w * contextLength).ToArray();
    }

    /// <summary>Inputs <c>stream[start .. start+T)</c> and targets <c>stream[start+1 .. start+T+1)</c>: the target at each
    /// position is the token that follows it.</summary>
    public static (long[] Inputs, long[] Targets) Window(int[] stream, int start, int contextLength)
    {
        if (start < 0 || start + contextLength + 1 > stream.Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"a window of {contextLength + 1} tokens at {start} does not fit a stream of {stream.Length}");
        var inputs = new long[contextLength];
        var targets = new long[contextLength];
        for (int t = 0; t < contextLength; t++)
        {
            inputs[t] = stream[start + t];
            targets[t] = stream[start + t + 1];
        }
        return (inputs, targets);
    }
}
