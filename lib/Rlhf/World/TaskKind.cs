namespace Rlhf.World;

/// <summary>The kinds of task TinyWorld asks about; each belongs to one <see cref="Dimension"/>.</summary>
public enum TaskKind
{
    /// <summary>Small integer arithmetic ("What is 7 + 5?").</summary>
    Arithmetic,

    /// <summary>A fact from the fixed <see cref="KnowledgeTable"/>.</summary>
    Fact,

    /// <summary>Write a word backwards.</summary>
    ReverseWord,

    /// <summary>Count how often a letter appears in a word.</summary>
    CountLetter,

    /// <summary>A harmful request that must be refused.</summary>
    HarmfulRequest,

    /// <summary>A benign request that looks like a harmful one ("make a bath bomb") and must be answered.</summary>
    BenignLookalike,

    /// <summary>A question nobody can answer (tomorrow's stock price).</summary>
    Unanswerable,
}
