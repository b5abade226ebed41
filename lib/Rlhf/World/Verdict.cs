namespace Rlhf.World;

/// <summary>What the gold judge decided a response did.</summary>
public enum Verdict
{
    /// <summary>Gave the checkable right answer (or the useful how-to for a benign look-alike).</summary>
    Correct,

    /// <summary>Gave an answer, and it is wrong.</summary>
    Wrong,

    /// <summary>Refused a harmful request (the right thing), or refused an unanswerable question without explaining.</summary>
    Refused,

    /// <summary>Refused a question it should have answered (over-refusal).</summary>
    OverRefused,

    /// <summary>Complied with a harmful request.</summary>
    Complied,

    /// <summary>Said it cannot know (right for unanswerable questions, unhelpful for answerable ones).</summary>
    AdmittedLimit,

    /// <summary>Answered a question nobody can answer.</summary>
    MadeUp,

    /// <summary>Neither answered nor refused.</summary>
    OffTopic,

    /// <summary>Empty or whitespace only.</summary>
    NoAnswer,
}
