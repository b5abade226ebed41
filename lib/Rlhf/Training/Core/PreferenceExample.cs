using Rlhf.Data;
using Rlhf.Text;
using Rlhf.World;

namespace Rlhf.Training;

/// <summary>
/// One preference pair ready for a reward model: both conversations encoded through the chat template (end-of-text
/// appended, so the reward is read at end-of-text), plus the gold judge's scores of both responses when it can score
/// the prompt (TinyWorld prompts), so accuracy against the gold order can be measured beside accuracy against the label.
/// </summary>
/// <param name="Pair">The texts.</param>
/// <param name="Chosen">The labelled-better conversation's ids.</param>
/// <param name="Rejected">The other conversation's ids.</param>
/// <param name="GoldChosen">Gold score of the chosen response, or null when the judge cannot score the prompt.</param>
/// <param name="GoldRejected">Gold score of the rejected response, or null likewise.</param>
public sealed record PreferenceExample(PreferencePair Pair, ChatExample Chosen, ChatExample Rejected, double? GoldChosen, double? GoldRejected)
{
    /// <summary>Whether either conversation was cut to fit the length limit.</summary>
    public bool Truncated => Chosen.Truncation.Truncated || Rejected.Truncation.Truncated;

    /// <summary>Encodes <paramref name="pair"/> with <paramref name="template"/>, cut to <paramref name="maxLength"/> tokens (the
    /// shared prompt once for both answers).</summary>
    public static PreferenceExample Encode(PreferencePair pair, ChatTemplate template, int maxLength)
    {
        double? goldChosen = null, goldRejected = null;
        if (GoldJudge.CanScore(pair.Prompt))
        {
            goldChosen = GoldJudge.Score(pair.Prompt, pair.Chosen).Score;
            goldRejected = GoldJudge.Score(pair.Prompt, pair.Rejected).Score;
        }
        var (chosen, rejected) = template.EncodePair(pair.Prompt, pair.Chosen, pair.Rejected, maxLength);
        return new PreferenceExample(pair, chosen, rejected, goldChosen, goldRejected);
    }
}
