namespace Rlhf.World;

/// <summary>How a padded answer (<see cref="ResponseStyle.CorrectVerbose"/>) of the demonstrators and comparison writers is padded.</summary>
public enum PaddingStyle
{
    /// <summary>The answer buried among random rambling sentences, a different padding every time (the shipped world).</summary>
    Rambling,

    /// <summary>The answer, then the same courteous closing every time, as a chat assistant pads: a habit a model copies
    /// word for word (after the answer, going on is likelier than stopping), and a reader (or a reward model) sees at a glance.</summary>
    Courteous,
}
