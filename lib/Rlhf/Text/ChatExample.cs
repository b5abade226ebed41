namespace Rlhf.Text;

/// <summary>
/// One training sequence in the chat template: <c>### Human: {prompt}\n### Assistant: {response}</c> then
/// end-of-text, with its loss mask (the project's one masking convention: 1 = this position's token is
/// a target the loss counts, 0 = it is not; no <c>-100</c> labels anywhere).
/// </summary>
/// <param name="InputIds">Token ids, prompt part then response part.</param>
/// <param name="LossMask">Same length: 0 on the prompt part, 1 on the response tokens and the end-of-text.</param>
/// <param name="PromptLength">Number of prompt-part tokens (the leading zeros of the mask).</param>
/// <param name="Truncation">What was cut to fit the maximum length.</param>
public sealed record ChatExample(int[] InputIds, int[] LossMask, int PromptLength, TruncationReport Truncation)
{
    /// <summary>Total tokens.</summary>
    public int Length => InputIds.Length;

    /// <summary>The response part (response tokens and, unless truncated away, end-of-text).</summary>
    public ReadOnlySpan<int> ResponseIds => InputIds.AsSpan(PromptLength);
}

/// <summary>A prompt ready for generation: the chat template up to and including <c>### Assistant:</c>.</summary>
/// <param name="InputIds">Token ids; identical to the prompt part of the <see cref="ChatExample"/> for the same prompt.</param>
/// <param name="Truncation">What was cut from the prompt to fit the maximum length.</param>
public sealed record ChatPrompt(int[] InputIds, TruncationReport Truncation);
