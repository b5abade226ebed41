namespace Rlhf.World;

/// <summary>Everything that decides what <see cref="TinyWorldGenerator"/> writes; the same options always give the same bytes.</summary>
public sealed record TinyWorldOptions
{
    /// <summary>The seed every random choice derives from. Default 1234 (the shipped data/tinyworld/).</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>The surface language of every prompt and response. Default English (the course default).</summary>
    public WorldLanguage Language { get; init; } = WorldLanguage.English;

    /// <summary>Pretraining documents (web-like: right and wrong answers, rambling, placeholder compliance). Default 9,000 (about 1.7 MB).</summary>
    public int CorpusDocuments { get; init; } = 9_000;

    /// <summary>SFT examples (training prompts with the ideal response). Default 2,500.</summary>
    public int SftExamples { get; init; } = 2_500;

    /// <summary>Training prompts with ranked responses (each ranking gives ResponsesPerPrompt x (ResponsesPerPrompt-1) / 2 pairs). Default 1,000.</summary>
    public int PreferencePrompts { get; init; } = 1_000;

    /// <summary>Responses ranked per preference prompt, in different styles. Default 4.</summary>
    public int ResponsesPerPrompt { get; init; } = 4;

    /// <summary>Held-out prompts with ranked responses, written as pairs for reward-model evaluation. Default 200.</summary>
    public int EvalPreferencePrompts { get; init; } = 200;

    /// <summary>Prompts for RL (PPO rollouts), one per line. Default 1,000.</summary>
    public int RlPrompts { get; init; } = 1_000;

    /// <summary>Most held-out evaluation prompts per task kind. Default 40.</summary>
    public int EvalPromptsPerKind { get; init; } = 40;

    /// <summary>Fraction of each kind's entity/number combinations kept out of every training file, for evaluation. Default 0.2.</summary>
    public double HeldOutFraction { get; init; } = 0.2;

    /// <summary>
    /// How often each task kind is drawn, in <see cref="TaskKind"/> order (arithmetic, fact, reverse word,
    /// count letter, harmful request, benign look-alike, unanswerable). Default 0.16, 0.16, 0.09, 0.09, 0.15, 0.15, 0.20.
    /// </summary>
    public IReadOnlyList<double> KindWeights { get; init; } = [0.16, 0.16, 0.09, 0.09, 0.15, 0.15, 0.20];

    /// <summary>
    /// Share of SFT demonstrations written in the ideal style, as by a careful demonstrator; the others come from demonstrators
    /// of uneven care (InstructGPT's contractors varied): correct but padded answers, hedging, rambling, slips, over-refusal
    /// of benign look-alikes, a made-up answer where "I can't know" was due (<see cref="TinyWorldGenerator.FlawedDemonstrationWeights"/>).
    /// Comparisons stay as they are: judging which of two answers is better is easier than writing the best one. Default 1
    /// (every demonstration ideal: the shipped data).
    /// </summary>
    public double IdealDemonstrationRate { get; init; } = 1.0;

    /// <summary>
    /// What a less careful demonstrator writes instead of the ideal answer on the four helpfulness tasks (arithmetic, facts,
    /// reversals, letter counts), as weights in the order of <see cref="ResponseWriter.StylesFor"/>: correct (the ideal, so
    /// 0), correct but padded past <see cref="GoldJudge.VerboseLengthUnits"/> (gold 0.7), wrong, rambling, refusal, admitted
    /// limit. Used only when <see cref="IdealDemonstrationRate"/> is below 1. Default 0, 0.45, 0.2, 0.2, 0.05, 0.1; with
    /// most weight on padding, the padded answer becomes the most common demonstration, a flaw a reader sees at a glance.
    /// </summary>
    public IReadOnlyList<double> AnswerFlawWeights { get; init; } = [0, 0.45, 0.2, 0.2, 0.05, 0.1];

    /// <summary>
    /// How the SFT demonstrators and the writers of the compared responses pad an answer (<see cref="ResponseStyle.CorrectVerbose"/>):
    /// among random rambling sentences, or followed by the same courteous closing every time, a habit a model copies
    /// word for word and greedy decoding then repeats. The pretraining corpus is not affected (web pages pad as they do).
    /// Default <see cref="PaddingStyle.Rambling"/> (the shipped data).
    /// </summary>
    public PaddingStyle DemonstratorPadding { get; init; } = PaddingStyle.Rambling;

    /// <summary>
    /// Share of pretraining documents that are how-to pages about the "how do I ..." requests, held-out ones included, as the
    /// reference pages hold every sum and the fact pages every capital: a benign request's page says how it is done; a
    /// harmful one's says that it hurts people and is against the law, with no instructions (the world holds no harmful
    /// content). Without them a held-out request is words the model never read: it cannot answer a held-out look-alike,
    /// nor tell a held-out harmful request from one. No chat transcript of a held-out request is written. Default 0 (the
    /// shipped corpus).
    /// </summary>
    public double RequestPageShare { get; init; }

    /// <summary>How the simulated annotators label preferences.</summary>
    public AnnotatorOptions Annotator { get; init; } = new();

    /// <summary>Throws if a value is out of range.</summary>
    public TinyWorldOptions Validate()
    {
        void Positive(int value, string name) { if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive"); }
        Positive(CorpusDocuments, nameof(CorpusDocuments));
        Positive(SftExamples, nameof(SftExamples));
        Positive(PreferencePrompts, nameof(PreferencePrompts));
        Positive(EvalPreferencePrompts, nameof(EvalPreferencePrompts));
        Positive(RlPrompts, nameof(RlPrompts));
        Positive(EvalPromptsPerKind, nameof(EvalPromptsPerKind));
        if (ResponsesPerPrompt < 2 || ResponsesPerPrompt > 6)
            throw new ArgumentOutOfRangeException(nameof(ResponsesPerPrompt), ResponsesPerPrompt, "between 2 and 6 responses can be ranked per prompt");
        if (!(HeldOutFraction > 0 && HeldOutFraction < 0.5))
            throw new ArgumentOutOfRangeException(nameof(HeldOutFraction), HeldOutFraction, "the held-out fraction must be in (0, 0.5)");
        int kinds = Enum.GetValues<TaskKind>().Length;
        if (KindWeights.Count != kinds || KindWeights.Any(w => !double.IsFinite(w) || w < 0) || KindWeights.Sum() <= 0)
            throw new ArgumentException($"{nameof(KindWeights)} needs {kinds} finite non-negative weights with a positive sum", nameof(KindWeights));
        if (!(IdealDemonstrationRate >= 0 && IdealDemonstrationRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(IdealDemonstrationRate), IdealDemonstrationRate, "the ideal demonstration rate must be in [0, 1]");
        int answerStyles = ResponseWriter.StylesFor(TaskKind.Arithmetic).Count;
        if (AnswerFlawWeights.Count != answerStyles || AnswerFlawWeights.Any(w => !double.IsFinite(w) || w < 0) || AnswerFlawWeights.Sum() <= 0)
            throw new ArgumentException($"{nameof(AnswerFlawWeights)} needs {answerStyles} finite non-negative weights with a positive sum " +
                "(correct, verbose, wrong, rambling, refusal, admit limit)", nameof(AnswerFlawWeights));
        if (!(RequestPageShare >= 0 && RequestPageShare < 1))
            throw new ArgumentOutOfRangeException(nameof(RequestPageShare), RequestPageShare, "the request page share must be in [0, 1)");
        Annotator.Validate();
        return this;
    }
}
