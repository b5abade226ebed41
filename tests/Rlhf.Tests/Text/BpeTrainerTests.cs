using Rlhf.Text;

namespace Rlhf.Tests.Text;

public class BpeTrainerTests
{
    static readonly BpeTrainerOptions EveryPair = new() { VocabularySize = 300, MinPairCount = 1 };

    static string[] Merges(BpeTrainingResult result) => result.Vocabulary.Merges.Select(m => m.ToString()).ToArray();

    [Fact]
    public void Merges_on_a_tiny_corpus_are_the_hand_computed_ones()
    {
        // Words: "ab", " ab" x2, " abc" -> ab, Ġab x2, Ġabc.
        // Pairs: (a,b) 1+2+1 = 4, (Ġ,a) 3, (b,c) 1 -> merge "a b".
        // Then (Ġ,ab) 3, (ab,c) 1 -> merge "Ġ ab". Then (Ġab,c) 1 -> merge "Ġab c". No pair left.
        var result = BpeTrainer.Train(["ab ab ab abc"], EveryPair);

        Assert.Equal(["a b", "Ġ ab", "Ġab c"], Merges(result));
        var tokens = result.Vocabulary.Tokens;
        Assert.Equal(["ab", "Ġab", "Ġabc", "<|endoftext|>", "<|pad|>"], tokens.Skip(256));
        Assert.Equal(BpeStopReason.NoFrequentPairLeft, result.StopReason);
        Assert.Equal(4, result.WordCount);
        Assert.Equal(3, result.DistinctWords);
    }

    [Fact]
    public void Minimum_pair_count_stops_merging_early_and_says_so()
    {
        var result = BpeTrainer.Train(["ab ab ab abc"], new BpeTrainerOptions { VocabularySize = 300 }); // MinPairCount 2
        Assert.Equal(["a b", "Ġ ab"], Merges(result));
        Assert.Equal(256 + 2 + 2, result.Vocabulary.Tokens.Count);
        Assert.Equal(BpeStopReason.NoFrequentPairLeft, result.StopReason);
    }

    [Fact]
    public void Vocabulary_size_is_respected_with_special_tokens_last()
    {
        var result = BpeTrainer.Train(["ab ab ab abc"], EveryPair with { VocabularySize = 260 });
        Assert.Equal(["a b", "Ġ ab"], Merges(result));
        Assert.Equal(BpeStopReason.VocabularySizeReached, result.StopReason);
        var tokenizer = TextTokenizer.FromVocabulary(result.Vocabulary);
        Assert.Equal(260, tokenizer.VocabularySize);
        Assert.Equal(258, tokenizer.EndOfTextId);
        Assert.Equal(259, tokenizer.PadId);

        var larger = BpeTrainer.Train(Corpus(), new BpeTrainerOptions { VocabularySize = 330 });
        Assert.Equal(330, larger.Vocabulary.Tokens.Count);
        Assert.Equal(BpeStopReason.VocabularySizeReached, larger.StopReason);
        Assert.Equal("<|pad|>", larger.Vocabulary.Tokens[329]);
    }

    [Fact]
    public void Ties_go_to_the_smaller_pair_of_ids()
    {
        // "ab", " cd": (a,b), (Ġ,c), (c,d) all occur once. Ids: a 64, b 65, c 66, d 67, Ġ 220.
        // (64,65) first, then (66,67), then (220, cd).
        var result = BpeTrainer.Train(["ab cd"], EveryPair);
        Assert.Equal(["a b", "c d", "Ġ cd"], Merges(result));
    }

    [Fact]
    public void Overlapping_pairs_merge_left_to_right()
    {
        // "aaa": (a,a) counted twice -> "a a" gives [aa, a]; then (aa,a) once -> "aa a".
        var result = BpeTrainer.Train(["aaa"], EveryPair);
        Assert.Equal(["a a", "aa a"], Merges(result));
        Assert.Equal(["aa", "aaa"], result.Vocabulary.Tokens.Skip(256).Take(2));
    }

    [Fact]
    public void Training_is_deterministic_and_independent_of_text_order()
    {
        var options = new BpeTrainerOptions { VocabularySize = 500 };
        var first = BpeTrainer.Train(Corpus(), options);
        var again = BpeTrainer.Train(Corpus(), options);
        var reversed = BpeTrainer.Train(Corpus().Reverse(), options);

        Assert.Equal(Merges(first), Merges(again));
        Assert.Equal(Merges(first), Merges(reversed));
        Assert.Equal(first.Vocabulary.Tokens, reversed.Vocabulary.Tokens);

        var a = Path.Combine(Path.GetTempPath(), "rlhf-tests", "bpe-" + Guid.NewGuid().ToString("N"));
        var b = a + "-again";
        TextTokenizer.FromVocabulary(first.Vocabulary).Save(a);
        TextTokenizer.FromVocabulary(reversed.Vocabulary).Save(b);
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, file)), File.ReadAllBytes(Path.Combine(b, file)));
    }

    [Fact]
    public void The_trained_merges_encode_through_microsoft_ml_tokenizers_as_learned()
    {
        var tokenizer = TextTokenizer.FromVocabulary(BpeTrainer.Train(["ab ab ab abc"], EveryPair).Vocabulary);
        // ids: ab 256, Ġab 257, Ġabc 258; "abc" without a space has no "ab c" merge -> [ab, c(66)].
        Assert.Equal([256, 257, 258], tokenizer.Encode("ab ab abc"));
        Assert.Equal([256, 66], tokenizer.Encode("abc"));
    }

    [Fact]
    public void Text_never_seen_in_training_round_trips_exactly()
    {
        var tokenizer = TextTokenizer.FromVocabulary(BpeTrainer.Train(Corpus(), new BpeTrainerOptions { VocabularySize = 600 }).Vocabulary);
        foreach (var text in new[] { "你好，世界！", "emoji 🙂👍🏽 and naïve café", "tabs\tand\r\nnewlines\0 nul", "the cat sat on the 猫" })
        {
            var ids = tokenizer.Encode(text);
            Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
            Assert.DoesNotContain(tokenizer.EndOfTextId, ids);
            Assert.Equal(text, tokenizer.Decode(ids));
        }
        // Learned words compress: a common corpus word is one token.
        Assert.Single(tokenizer.Encode(" the"));
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["x"], new BpeTrainerOptions { VocabularySize = 257 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(["x"], new BpeTrainerOptions { MinPairCount = 0 }));
        var e = Assert.Throws<ArgumentException>(() => BpeTrainer.Train(["x"], new BpeTrainerOptions { PadToken = "<|endoftext|>" }));
        Assert.Contains("never learns to stop", e.Message);
    }

    /// <summary>A small deterministic English corpus.</summary>
    internal static IEnumerable<string> Corpus()
    {
        string[] subjects = ["the cat", "a dog", "the farmer", "my friend", "the old king"];
        string[] verbs = ["sat on", "looked at", "walked to", "painted", "talked about"];
        string[] objects = ["the mat", "a red house", "the river", "their garden", "the quiet village"];
        for (int i = 0; i < 200; i++)
            yield return $"{subjects[i % 5]} {verbs[i / 5 % 5]} {objects[i / 25 % 5]}, and it was {i % 7} o'clock.\n";
    }
}
