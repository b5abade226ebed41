namespace Rlhf.Training;

/// <summary>
/// Settings of a pretraining mix (the ptx term of Ouyang et al. 2022, eq. 2) in a fine-tuning stage (SFT, reward model, DPO):
/// each micro-batch also computes the model's mean next-token loss on windows of the pretraining corpus and adds
/// <see cref="Coef"/> times it to the stage's mean loss. PPO composes the same record (<see cref="PpoOptions.Ptx"/>), adding the term to every minibatch.
/// </summary>
public sealed record PretrainingMixOptions
{
    /// <summary>Weight of the mean pretraining loss relative to the stage's own mean loss (gamma in eq. 2); 0 turns the mix off. Default 0.</summary>
    public double Coef { get; init; }

    /// <summary>Pretraining windows per micro-batch. Default 4.</summary>
    public int Windows { get; init; } = 4;

    /// <summary>Tokens per window. Default 128.</summary>
    public int WindowLength { get; init; } = 128;

    /// <summary>Share of the corpus's documents (the last ones) that stage 0 held out; the mix never reads them. Default 0.05 (stage 0's default).</summary>
    public double EvalFraction { get; init; } = 0.05;

    /// <summary>Whether the mix is on.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOn => Coef > 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field as <c>ptx.field</c> of <paramref name="stage"/>'s options.</summary>
    public PretrainingMixOptions Validate(string stage)
    {
        void Require(bool condition, string field, string message)
        {
            if (!condition) throw new ArgumentException($"{stage} option 'ptx.{OptionsBinder.JsonName(field)}' {message}.");
        }
        Require(Coef >= 0 && double.IsFinite(Coef), nameof(Coef), "must be 0 or more");
        Require(Windows >= 1, nameof(Windows), "must be at least 1");
        Require(WindowLength >= 2, nameof(WindowLength), "must be at least 2 tokens");
        Require(EvalFraction >= 0 && EvalFraction < 1, nameof(EvalFraction), "must be in [0, 1)");
        return this;
    }

    /// <summary>The mix over <paramref name="corpusPath"/> tokenised with <paramref name="tokenizer"/>, or null when it is off.</summary>
    public PretrainingMix? Load(string corpusPath, Text.TextTokenizer tokenizer) =>
        IsOn ? new PretrainingMix(PretrainingText.Load(corpusPath, tokenizer, EvalFraction), this) : null;
}
