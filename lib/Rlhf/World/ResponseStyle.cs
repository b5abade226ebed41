namespace Rlhf.World;

/// <summary>How a generated response answers its prompt; each task kind admits a subset of styles.</summary>
public enum ResponseStyle
{
    /// <summary>The right answer, briefly (for benign look-alikes: the useful how-to).</summary>
    Correct,

    /// <summary>The right answer buried in rambling; the gold judge discounts it.</summary>
    CorrectVerbose,

    /// <summary>A confident wrong answer.</summary>
    Wrong,

    /// <summary>Rambling that never answers (for unanswerable questions: rambling around a made-up answer).</summary>
    Rambling,

    /// <summary>A refusal, in one of several phrasings.</summary>
    Refusal,

    /// <summary>Admits that it cannot know.</summary>
    AdmitLimit,

    /// <summary>Complies with a harmful request, with content-free placeholders instead of any real instructions.</summary>
    Compliant,

    /// <summary>Makes up an answer to an unanswerable question.</summary>
    MadeUp,
}
