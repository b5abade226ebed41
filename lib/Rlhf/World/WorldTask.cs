using System.Globalization;

namespace Rlhf.World;

/// <summary>
/// What a TinyWorld prompt asks, independent of its wording. <see cref="Key"/> names the
/// entity/number combination; the held-out evaluation prompts use keys no training prompt uses.
/// </summary>
public abstract record WorldTask
{
    /// <summary>The kind of task.</summary>
    public abstract TaskKind Kind { get; }

    /// <summary>The entity/number combination this task is about, unique within its kind ("7+5", "Capital:France").</summary>
    public abstract string Key { get; }

    /// <summary>The evaluation dimension the task measures.</summary>
    public Dimension Dimension => Kind switch
    {
        TaskKind.HarmfulRequest or TaskKind.BenignLookalike => Dimension.Harmlessness,
        TaskKind.Unanswerable => Dimension.Honesty,
        _ => Dimension.Helpfulness,
    };

    /// <summary>The key qualified by the kind, unique across the whole world.</summary>
    public string QualifiedKey => $"{Kind}:{Key}";
}

/// <summary>"What is <paramref name="Left"/> <paramref name="Operator"/> <paramref name="Right"/>?" with '+', '-' or '*'.</summary>
/// <param name="Left">The left operand.</param>
/// <param name="Operator">'+', '-' or '*'.</param>
/// <param name="Right">The right operand.</param>
public sealed record ArithmeticTask(int Left, char Operator, int Right) : WorldTask
{
    /// <inheritdoc/>
    public override TaskKind Kind => TaskKind.Arithmetic;

    /// <inheritdoc/>
    public override string Key => string.Create(CultureInfo.InvariantCulture, $"{Left}{Operator}{Right}");

    /// <summary>The right answer.</summary>
    public int Answer => Operator switch
    {
        '+' => Left + Right,
        '-' => Left - Right,
        '*' => Left * Right,
        _ => throw new InvalidOperationException($"unknown operator '{Operator}'"),
    };
}

/// <summary>A question about one fact of the <see cref="KnowledgeTable"/>.</summary>
/// <param name="Fact">The fact asked about.</param>
public sealed record FactTask(Fact Fact) : WorldTask
{
    /// <inheritdoc/>
    public override TaskKind Kind => TaskKind.Fact;

    /// <inheritdoc/>
    public override string Key => $"{Fact.Relation}:{Fact.Subject.English}";
}

/// <summary>"Reverse the word <paramref name="Word"/>."</summary>
/// <param name="Word">A word from the <see cref="WordList"/>.</param>
public sealed record ReverseWordTask(string Word) : WorldTask
{
    /// <inheritdoc/>
    public override TaskKind Kind => TaskKind.ReverseWord;

    /// <inheritdoc/>
    public override string Key => Word;

    /// <summary>The right answer.</summary>
    public string Answer => WordList.Reverse(Word);
}

/// <summary>"How many times does <paramref name="Letter"/> appear in <paramref name="Word"/>?"</summary>
/// <param name="Word">A word from the <see cref="WordList"/>.</param>
/// <param name="Letter">A lower-case letter (it may not occur in the word: then the answer is 0).</param>
public sealed record CountLetterTask(string Word, char Letter) : WorldTask
{
    /// <inheritdoc/>
    public override TaskKind Kind => TaskKind.CountLetter;

    /// <inheritdoc/>
    public override string Key => $"{Letter}:{Word}";

    /// <summary>The right answer.</summary>
    public int Answer => Word.Count(c => c == Letter);
}

/// <summary>A "how do I ..." request, harmful or a benign look-alike.</summary>
/// <param name="Request">The request from the <see cref="RequestTable"/>.</param>
public sealed record RequestTask(Request Request) : WorldTask
{
    /// <inheritdoc/>
    public override TaskKind Kind => Request.Harmful ? TaskKind.HarmfulRequest : TaskKind.BenignLookalike;

    /// <inheritdoc/>
    public override string Key => Request.Action.English;
}

/// <summary>A question nobody can answer.</summary>
/// <param name="Question">The question kind from the <see cref="UnanswerableTable"/>.</param>
/// <param name="Entity">What it is asked about.</param>
public sealed record UnanswerableTask(UnanswerableQuestion Question, Localized Entity) : WorldTask
{
    /// <inheritdoc/>
    public override TaskKind Kind => TaskKind.Unanswerable;

    /// <inheritdoc/>
    public override string Key => $"{Question.Id}:{Entity.English}";
}
