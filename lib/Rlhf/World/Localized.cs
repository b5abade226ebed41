namespace Rlhf.World;

/// <summary>One piece of text in both of the world's languages.</summary>
/// <param name="English">The English text.</param>
/// <param name="Chinese">The Chinese text.</param>
public readonly record struct Localized(string English, string Chinese)
{
    /// <summary>The text in <paramref name="language"/>.</summary>
    public string In(WorldLanguage language) => language == WorldLanguage.Chinese ? Chinese : English;
}
