namespace Rlhf.Training;

/// <summary>One rollout prompt: its text (what the gold judge reads) and its chat-template ids (what the policy reads).</summary>
/// <param name="Text">The user's prompt as written in the data.</param>
/// <param name="Ids">The generation prompt, ending right after the assistant header.</param>
public sealed record PpoPrompt(string Text, int[] Ids);
