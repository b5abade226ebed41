namespace Rlhf.Text;

/// <summary>
/// The one chat template of the project: <c>### Human: {prompt}\n### Assistant: {response}</c> followed by
/// the end-of-text token. Turns (prompt, response) into ids and a loss mask for training, and a prompt
/// into ids for generation.
/// </summary>
/// <remarks>
/// <para>Where the space goes: the prompt part ends right after <c>### Assistant:</c>, with no space; the
/// space belongs to the response (<c>" {response}"</c>), so the model's first generated token is a
/// space-led word like <c>Ġthe</c>, as in all GPT-2 style text. A prompt ending in a space would instead
/// force a lone <c>Ġ</c> token the model rarely saw in training.</para>
/// <para>Exact mask boundary: the pieces <c>### Human:</c>, <c>" {prompt}"</c>, <c>\n### Assistant:</c> and
/// <c>" {response}"</c> are encoded separately and concatenated. Every cut falls where GPT-2's
/// pre-tokenizer cuts anyway (after a colon, before a newline), so the ids equal those of encoding the
/// whole text at once, and generation prompts equal training prompts token for token.</para>
/// <para>Truncation, when a maximum length is given: the prompt text is cut from the left first (its most
/// recent words matter most), keeping the template's own tokens; only if the prompt is gone does the
/// response get cut from the right, end-of-text first (a cut response must not teach the model to stop
/// in mid-sentence). A preference pair (<see cref="EncodePair"/>) cuts its shared prompt once, for both answers.
/// What was cut is returned in a <see cref="TruncationReport"/>, never silently.</para>
/// </remarks>
public sealed class ChatTemplate
{
    /// <summary>The text before the prompt (the space after it belongs to the prompt piece).</summary>
    public const string HumanHeader = "### Human:";

    /// <summary>The text between the prompt and the response (the space after it belongs to the response piece).</summary>
    public const string AssistantHeader = "\n### Assistant:";

    readonly int[] humanHeaderIds;
    readonly int[] assistantHeaderIds;

    /// <summary>A template over <paramref name="tokenizer"/>.</summary>
    public ChatTemplate(TextTokenizer tokenizer)
    {
        Tokenizer = tokenizer;
        humanHeaderIds = tokenizer.Encode(HumanHeader);
        assistantHeaderIds = tokenizer.Encode(AssistantHeader);
    }

    /// <summary>The tokenizer the template encodes with.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>Tokens the template itself takes (both headers); the smallest useful maximum length is this plus one.</summary>
    public int TemplateLength => humanHeaderIds.Length + assistantHeaderIds.Length;

    /// <summary>The generation prompt as text: <c>### Human: {prompt}\n### Assistant:</c>.</summary>
    public static string FormatPrompt(string prompt) => $"{HumanHeader} {prompt}{AssistantHeader}";

    /// <summary>The training text without its end-of-text token: <c>### Human: {prompt}\n### Assistant: {response}</c>.</summary>
    public static string Format(string prompt, string response) => $"{FormatPrompt(prompt)} {response}";

    /// <summary>
    /// Ids and loss mask for one (prompt, response) pair, truncated to <paramref name="maxLength"/> tokens
    /// when given (see the class remarks for the policy).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> leaves no room for one response token.</exception>
    public ChatExample EncodeTraining(string prompt, string response, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        RequireRoom(maxLength);
        var promptIds = Tokenizer.Encode(" " + prompt);
        var completion = Completion(response);
        return Assemble(promptIds, PromptCut(promptIds.Length, completion.Length, maxLength), completion, maxLength);
    }

    /// <summary>
    /// The two conversations of a preference pair, truncated to <paramref name="maxLength"/> tokens with the shared prompt cut
    /// once for both (from the left, as far as the longer answer needs), then each answer from the right only if the prompt
    /// is gone: chosen and rejected are always compared under the same context, as in TRL and the DPO reference code.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> leaves no room for one response token.</exception>
    public (ChatExample Chosen, ChatExample Rejected) EncodePair(string prompt, string chosen, string rejected, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        RequireRoom(maxLength);
        var promptIds = Tokenizer.Encode(" " + prompt);
        var (chosenIds, rejectedIds) = (Completion(chosen), Completion(rejected));
        int promptRemoved = PromptCut(promptIds.Length, Math.Max(chosenIds.Length, rejectedIds.Length), maxLength);
        return (Assemble(promptIds, promptRemoved, chosenIds, maxLength), Assemble(promptIds, promptRemoved, rejectedIds, maxLength));
    }

    void RequireRoom(int? maxLength)
    {
        if (maxLength is { } limit && limit < TemplateLength + 1)
            throw new ArgumentOutOfRangeException(nameof(maxLength), limit,
                $"maxLength must be at least {TemplateLength + 1}: the template takes {TemplateLength} tokens and at least one response token must remain");
    }

    /// <summary>" {response}" and the end-of-text token.</summary>
    int[] Completion(string response) => [.. Tokenizer.Encode(" " + response), Tokenizer.EndOfTextId];

    /// <summary>Prompt tokens to drop from the left so that a completion of <paramref name="completionLength"/> tokens fits.</summary>
    int PromptCut(int promptLength, int completionLength, int? maxLength) =>
        maxLength is { } max ? Math.Clamp(TemplateLength + promptLength + completionLength - max, 0, promptLength) : 0;

    /// <summary>Headers, the prompt without its first <paramref name="promptRemoved"/> tokens, and the completion cut from the
    /// right to fit <paramref name="maxLength"/>; the loss mask covers the completion.</summary>
    ChatExample Assemble(int[] promptIds, int promptRemoved, int[] completion, int? maxLength)
    {
        var ids = new List<int>();
        ids.AddRange(humanHeaderIds);
        ids.AddRange(promptIds.AsSpan(promptRemoved));
        ids.AddRange(assistantHeaderIds);
        int promptLength = ids.Count;
        int completionRemoved = maxLength is { } max ? Math.Max(0, promptLength + completion.Length - max) : 0; // < completion.Length
        ids.AddRange(completion.AsSpan(0, completion.Length - completionRemoved));

        var lossMask = new int[ids.Count];
        Array.Fill(lossMask, 1, promptLength, ids.Count - promptLength);
        var report = completionRemoved == 0 && promptRemoved == 0
            ? TruncationReport.None
            : new TruncationReport(promptRemoved, Math.Max(0, completionRemoved - 1), completionRemoved > 0);
        return new ChatExample(ids.ToArray(), lossMask, promptLength, report);
    }

    /// <summary>
    /// Ids of the generation prompt (ends right after <c>### Assistant:</c>), the prompt text cut from the
    /// left to fit <paramref name="maxLength"/> tokens when given.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is shorter than the template.</exception>
    public ChatPrompt EncodePrompt(string prompt, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (maxLength is { } limit && limit < TemplateLength)
            throw new ArgumentOutOfRangeException(nameof(maxLength), limit, $"maxLength must be at least {TemplateLength}, the template's own length");

        var promptIds = Tokenizer.Encode(" " + prompt);
        int removed = maxLength is { } max ? Math.Clamp(TemplateLength + promptIds.Length - max, 0, promptIds.Length) : 0;
        int[] ids = [.. humanHeaderIds, .. promptIds.AsSpan(removed), .. assistantHeaderIds];
        return new ChatPrompt(ids, removed == 0 ? TruncationReport.None : new TruncationReport(removed, 0, false));
    }
}
