namespace Rlhf.Notebooks;

/// <summary>A Polyglot directive (<c>#r</c>, <c>#i</c>, <c>#!…</c>) the runner cannot honour; the message names the directive.</summary>
public sealed class DirectiveException : Exception
{
    /// <summary>Creates the exception for the directive on <paramref name="line"/> of a cell.</summary>
    public DirectiveException(int line, string directive, string reason)
        : base($"line {line}: {directive}: {reason}")
    {
        Line = line;
        Directive = directive;
    }

    /// <summary>1-based line of the directive in its cell.</summary>
    public int Line { get; }

    /// <summary>The directive as written.</summary>
    public string Directive { get; }
}
