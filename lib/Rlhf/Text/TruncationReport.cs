namespace Rlhf.Text;

/// <summary>What <see cref="ChatTemplate"/> cut to fit a maximum length (all zero when nothing was cut).</summary>
/// <param name="PromptTokensRemoved">Tokens removed from the start of the prompt text (the template's own
/// <c>### Human:</c> and <c>### Assistant:</c> tokens are always kept).</param>
/// <param name="ResponseTokensRemoved">Tokens removed from the end of the response, not counting end-of-text.</param>
/// <param name="EndOfTextRemoved">Whether the end-of-text token was removed (it goes first when the response is cut).</param>
public sealed record TruncationReport(int PromptTokensRemoved, int ResponseTokensRemoved, bool EndOfTextRemoved)
{
    /// <summary>Nothing was removed.</summary>
    public static TruncationReport None { get; } = new(0, 0, false);

    /// <summary>Whether anything was removed.</summary>
    public bool Truncated => PromptTokensRemoved > 0 || ResponseTokensRemoved > 0 || EndOfTextRemoved;

    /// <summary>A one-line description for logs and notebooks.</summary>
    public override string ToString() => !Truncated
        ? "not truncated"
        : $"truncated: {PromptTokensRemoved} prompt tokens from the left, {ResponseTokensRemoved} response tokens from the right" +
          (EndOfTextRemoved ? ", end-of-text removed" : "");
}
