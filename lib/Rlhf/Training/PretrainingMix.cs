namespace Rlhf.Training;

/// <summary>
/// The pretraining mix of a fine-tuning stage (the ptx term of Ouyang et al. 2022, eq. 2): each micro-batch adds
/// <paramref name="Coef"/> times the model's mean next-token loss on <paramref name="Windows"/> windows of
/// <paramref name="WindowLength"/> tokens of pretraining text, so fine-tuning keeps what pretraining taught.
/// </summary>
/// <param name="Text">The pretraining corpus, split as stage 0 splits it (only its training part is read).</param>
/// <param name="Coef">Weight of the pretraining loss relative to the stage's own mean loss (gamma in eq. 2).</param>
/// <param name="Windows">Pretraining windows per micro-batch.</param>
/// <param name="WindowLength">Tokens per window.</param>
public sealed record PretrainingMix(PretrainingText Text, double Coef, int Windows, int WindowLength)
{
    /// <summary>Throws if a number is out of range.</summary>
    public PretrainingMix Validate()
    {
        ArgumentNullException.ThrowIfNull(Text);
        if (!(Coef > 0) || !double.IsFinite(Coef)) throw new ArgumentOutOfRangeException(nameof(Coef), Coef, "the pretraining mix's coefficient must be positive");
        ArgumentOutOfRangeException.ThrowIfLessThan(Windows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(WindowLength, 1);
        return this;
    }
}
