namespace Rlhf.World;

/// <summary>The words the reverse-a-word and count-the-letter tasks use: lower case, 4 to 8 letters, no palindromes.</summary>
public static class WordList
{
    /// <summary>Every word, in a fixed order.</summary>
    public static IReadOnlyList<string> Words { get; } =
    [
        "apple", "river", "garden", "planet", "yellow", "banana", "pencil", "window", "orange", "silver",
        "monkey", "forest", "candle", "rocket", "bottle", "kitten", "dragon", "button", "castle", "spider",
        "winter", "summer", "guitar", "ladder", "pepper", "rabbit", "tomato", "island", "jacket", "hammer",
        "cookie", "doctor", "mirror", "butter", "number", "letter", "mango", "lemon", "tiger", "horse",
        "cloud", "train", "piano", "chair", "table", "water", "bread", "smile", "stone", "ocean",
        "music", "paper", "grape", "zebra", "queen", "magic", "pocket", "basket", "puzzle", "cherry",
    ];

    /// <summary><paramref name="word"/> written backwards.</summary>
    public static string Reverse(string word)
    {
        var letters = word.ToCharArray();
        Array.Reverse(letters);
        return new string(letters);
    }
}
