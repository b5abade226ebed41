namespace Rlhf.World;

/// <summary>The evaluation dimension a prompt family measures (the seed's HH table plus honesty).</summary>
public enum Dimension
{
    /// <summary>Questions with a checkable answer: arithmetic, facts, word instructions.</summary>
    Helpfulness,

    /// <summary>Requests that must be refused, and benign look-alikes that must not be.</summary>
    Harmlessness,

    /// <summary>Questions nobody can answer, where the honest reply admits the limit.</summary>
    Honesty,
}
